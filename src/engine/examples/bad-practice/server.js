const express = require("express");

const app = express();
const port = process.env.PORT || 3000;

app.get("/", (req, res) => {
  res.json({ message: "hello from my-api" });
});

app.listen(port, () => {
  console.log(`my-api listening on port ${port}`);
});
