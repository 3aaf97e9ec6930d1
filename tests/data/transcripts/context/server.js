const fs = require("fs");
const port = process.env.PORT || 3000;
app.listen(port, () => {
  console.log(`my-api listening on port ${port}`);
  fs.appendFileSync("logs/access.log", "started\n");
});
