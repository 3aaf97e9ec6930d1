//! The docker commands layerlab knows: usage lines, descriptions and flags as
//! `docker X --help` prints them (docker CLI 27).

use super::argv::{flag, Arity, Flag, Spec};

const FORMAT: Flag = flag(
    None,
    "format",
    Some("string"),
    "Format output using a custom template",
);
const NO_TRUNC: Flag = flag(None, "no-trunc", None, "Don't truncate output");
const QUIET_IDS: Flag = flag(Some('q'), "quiet", None, "Only display IDs");

const RUN_FLAGS: &[Flag] = &[
    flag(
        Some('d'),
        "detach",
        None,
        "Run container in background and print container ID",
    ),
    flag(
        None,
        "entrypoint",
        Some("string"),
        "Overwrite the default ENTRYPOINT of the image",
    ),
    flag(Some('e'), "env", Some("list"), "Set environment variables"),
    flag(
        None,
        "env-file",
        Some("list"),
        "Read in a file of environment variables",
    ),
    flag(
        Some('i'),
        "interactive",
        None,
        "Keep STDIN open even if not attached",
    ),
    flag(
        None,
        "expose",
        Some("list"),
        "Expose a port or a range of ports",
    ),
    flag(
        Some('l'),
        "label",
        Some("list"),
        "Set meta data on a container",
    ),
    flag(
        None,
        "name",
        Some("string"),
        "Assign a name to the container",
    ),
    flag(
        Some('p'),
        "publish",
        Some("list"),
        "Publish a container's port(s) to the host",
    ),
    flag(
        Some('P'),
        "publish-all",
        None,
        "Publish all exposed ports to random ports",
    ),
    flag(
        None,
        "rm",
        None,
        "Automatically remove the container and its associated anonymous volumes when it exits",
    ),
    flag(Some('t'), "tty", None, "Allocate a pseudo-TTY"),
    flag(
        Some('u'),
        "user",
        Some("string"),
        "Username or UID (format: <name|uid>[:<group|gid>])",
    ),
    flag(Some('v'), "volume", Some("list"), "Bind mount a volume"),
    flag(
        Some('w'),
        "workdir",
        Some("string"),
        "Working directory inside the container",
    ),
];

const fn spec(
    name: &'static str,
    usage: &'static str,
    about: &'static str,
    aliases: &'static str,
    flags: &'static [Flag],
    arity: Arity,
) -> Spec {
    Spec {
        name,
        usage,
        about,
        aliases,
        flags,
        arity,
        interspersed: true,
    }
}

pub const BUILD: Spec = spec(
    "buildx build",
    "docker buildx build [OPTIONS] PATH | URL | -",
    "Start a build",
    "docker build, docker builder build, docker image build, docker buildx b",
    &[
        flag(
            None,
            "build-arg",
            Some("stringArray"),
            "Set build-time variables",
        ),
        flag(
            Some('f'),
            "file",
            Some("string"),
            "Name of the Dockerfile (default: \"PATH/Dockerfile\")",
        ),
        flag(
            None,
            "no-cache",
            None,
            "Do not use cache when building the image",
        ),
        flag(
            None,
            "progress",
            Some("string"),
            "Set type of progress output (\"auto\", \"plain\", \"tty\", \"rawjson\")",
        ),
        flag(
            Some('q'),
            "quiet",
            None,
            "Suppress the build output and print image ID on success",
        ),
        flag(
            Some('t'),
            "tag",
            Some("stringArray"),
            "Name and optionally a tag (format: \"name:tag\")",
        ),
        flag(
            None,
            "target",
            Some("string"),
            "Set the target build stage to build",
        ),
    ],
    Arity::Exactly(1),
);

pub const IMAGES: Spec = spec(
    "images",
    "docker images [OPTIONS] [REPOSITORY[:TAG]]",
    "List images",
    "docker image ls, docker image list, docker images",
    &[
        flag(
            Some('a'),
            "all",
            None,
            "Show all images (default hides intermediate images)",
        ),
        flag(None, "digests", None, "Show digests"),
        flag(
            Some('f'),
            "filter",
            Some("filter"),
            "Filter output based on conditions provided",
        ),
        FORMAT,
        NO_TRUNC,
        QUIET_IDS,
    ],
    Arity::AtMost(1),
);

pub const HISTORY: Spec = spec(
    "image history",
    "docker image history [OPTIONS] IMAGE",
    "Show the history of an image",
    "docker image history, docker history",
    &[
        FORMAT,
        flag(
            Some('H'),
            "human",
            None,
            "Print sizes and dates in human readable format (default true)",
        ),
        NO_TRUNC,
        QUIET_IDS,
    ],
    Arity::Exactly(1),
);

pub const INSPECT: Spec = spec(
    "inspect",
    "docker inspect [OPTIONS] NAME|ID [NAME|ID...]",
    "Return low-level information on Docker objects",
    "",
    &[
        FORMAT,
        flag(
            Some('s'),
            "size",
            None,
            "Display total file sizes if the type is container",
        ),
        flag(
            None,
            "type",
            Some("string"),
            "Return JSON for specified type",
        ),
    ],
    Arity::AtLeast(1),
);

pub const TAG: Spec = spec(
    "tag",
    "docker tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]",
    "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE",
    "docker image tag, docker tag",
    &[],
    Arity::Exactly(2),
);

pub const RMI: Spec = spec(
    "rmi",
    "docker rmi [OPTIONS] IMAGE [IMAGE...]",
    "Remove one or more images",
    "docker image rm, docker image remove, docker rmi",
    &[
        flag(Some('f'), "force", None, "Force removal of the image"),
        flag(None, "no-prune", None, "Do not delete untagged parents"),
    ],
    Arity::AtLeast(1),
);

pub const SAVE: Spec = spec(
    "save",
    "docker save [OPTIONS] IMAGE [IMAGE...]",
    "Save one or more images to a tar archive (streamed to STDOUT by default)",
    "docker image save, docker save",
    &[flag(
        Some('o'),
        "output",
        Some("string"),
        "Write to a file, instead of STDOUT",
    )],
    Arity::AtLeast(1),
);

pub const EXPORT: Spec = spec(
    "export",
    "docker export [OPTIONS] CONTAINER",
    "Export a container's filesystem as a tar archive",
    "docker container export, docker export",
    &[flag(
        Some('o'),
        "output",
        Some("string"),
        "Write to a file, instead of STDOUT",
    )],
    Arity::Exactly(1),
);

pub const IMPORT: Spec = spec(
    "import",
    "docker import [OPTIONS] file|URL|- [REPOSITORY[:TAG]]",
    "Import the contents from a tarball to create a filesystem image",
    "docker image import, docker import",
    &[
        flag(
            Some('c'),
            "change",
            Some("list"),
            "Apply Dockerfile instruction to the created image",
        ),
        flag(
            Some('m'),
            "message",
            Some("string"),
            "Set commit message for imported image",
        ),
    ],
    Arity::Range(1, 2),
);

pub const LOAD: Spec = spec(
    "load",
    "docker load [OPTIONS]",
    "Load an image from a tar archive or STDIN",
    "docker image load, docker load",
    &[
        flag(
            Some('i'),
            "input",
            Some("string"),
            "Read from tar archive file, instead of STDIN",
        ),
        flag(Some('q'), "quiet", None, "Suppress the load output"),
    ],
    Arity::None,
);

pub const IMAGE_PRUNE: Spec = spec(
    "image prune",
    "docker image prune [OPTIONS]",
    "Remove unused images",
    "",
    &[
        flag(
            Some('a'),
            "all",
            None,
            "Remove all unused images, not just dangling ones",
        ),
        flag(Some('f'), "force", None, "Do not prompt for confirmation"),
    ],
    Arity::None,
);

pub const LOGIN: Spec = spec(
    "login",
    "docker login [OPTIONS] [SERVER]",
    "Authenticate to a registry.\nDefaults to Docker Hub if no server is specified.",
    "",
    &[
        flag(
            Some('p'),
            "password",
            Some("string"),
            "Password or Personal Access Token (PAT)",
        ),
        flag(
            None,
            "password-stdin",
            None,
            "Take the Password or Personal Access Token (PAT) from stdin",
        ),
        flag(Some('u'), "username", Some("string"), "Username"),
    ],
    Arity::AtMost(1),
);

pub const LOGOUT: Spec = spec(
    "logout",
    "docker logout [SERVER]",
    "Log out from a registry.\nIf no server is specified, the default is defined by the daemon.",
    "",
    &[],
    Arity::AtMost(1),
);

pub const PUSH: Spec = spec(
    "push",
    "docker push [OPTIONS] NAME[:TAG]",
    "Upload an image to a registry",
    "docker image push, docker push",
    &[
        flag(
            Some('a'),
            "all-tags",
            None,
            "Push all tags of an image to the repository",
        ),
        flag(Some('q'), "quiet", None, "Suppress verbose output"),
    ],
    Arity::Exactly(1),
);

pub const PULL: Spec = spec(
    "pull",
    "docker pull [OPTIONS] NAME[:TAG|@DIGEST]",
    "Download an image from a registry",
    "docker image pull, docker pull",
    &[
        flag(
            Some('a'),
            "all-tags",
            None,
            "Download all tagged images in the repository",
        ),
        flag(Some('q'), "quiet", None, "Suppress verbose output"),
    ],
    Arity::Exactly(1),
);

pub const RUN: Spec = Spec {
    interspersed: false,
    ..spec(
        "run",
        "docker run [OPTIONS] IMAGE [COMMAND] [ARG...]",
        "Create and run a new container from an image",
        "docker container run, docker run",
        RUN_FLAGS,
        Arity::AtLeast(1),
    )
};

pub const CREATE: Spec = Spec {
    interspersed: false,
    ..spec(
        "create",
        "docker create [OPTIONS] IMAGE [COMMAND] [ARG...]",
        "Create a new container",
        "docker container create, docker create",
        RUN_FLAGS,
        Arity::AtLeast(1),
    )
};

pub const ATTACH: Spec = spec(
    "attach",
    "docker attach [OPTIONS] CONTAINER",
    "Attach local standard input, output, and error streams to a running container",
    "docker container attach, docker attach",
    &[
        flag(None, "no-stdin", None, "Do not attach STDIN"),
        flag(
            None,
            "sig-proxy",
            None,
            "Proxy all received signals to the process (default true)",
        ),
    ],
    Arity::Exactly(1),
);

pub const START: Spec = spec(
    "start",
    "docker start [OPTIONS] CONTAINER [CONTAINER...]",
    "Start one or more stopped containers",
    "docker container start, docker start",
    &[
        flag(
            Some('a'),
            "attach",
            None,
            "Attach STDOUT/STDERR and forward signals",
        ),
        flag(Some('i'), "interactive", None, "Attach container's STDIN"),
    ],
    Arity::AtLeast(1),
);

const TIME: Flag = flag(
    Some('t'),
    "time",
    Some("int"),
    "Seconds to wait before killing the container",
);

pub const STOP: Spec = spec(
    "stop",
    "docker stop [OPTIONS] CONTAINER [CONTAINER...]",
    "Stop one or more running containers",
    "docker container stop, docker stop",
    &[TIME],
    Arity::AtLeast(1),
);

pub const RESTART: Spec = spec(
    "restart",
    "docker restart [OPTIONS] CONTAINER [CONTAINER...]",
    "Restart one or more containers",
    "docker container restart, docker restart",
    &[TIME],
    Arity::AtLeast(1),
);

pub const KILL: Spec = spec(
    "kill",
    "docker kill [OPTIONS] CONTAINER [CONTAINER...]",
    "Kill one or more running containers",
    "docker container kill, docker kill",
    &[flag(
        Some('s'),
        "signal",
        Some("string"),
        "Signal to send to the container",
    )],
    Arity::AtLeast(1),
);

pub const RM: Spec = spec(
    "rm",
    "docker rm [OPTIONS] CONTAINER [CONTAINER...]",
    "Remove one or more containers",
    "docker container rm, docker container remove, docker rm",
    &[
        flag(
            Some('f'),
            "force",
            None,
            "Force the removal of a running container (uses SIGKILL)",
        ),
        flag(
            Some('v'),
            "volumes",
            None,
            "Remove anonymous volumes associated with the container",
        ),
    ],
    Arity::AtLeast(1),
);

pub const PS: Spec = spec(
    "ps",
    "docker ps [OPTIONS]",
    "List containers",
    "docker container ls, docker container list, docker container ps, docker ps",
    &[
        flag(
            Some('a'),
            "all",
            None,
            "Show all containers (default shows just running)",
        ),
        flag(
            Some('f'),
            "filter",
            Some("filter"),
            "Filter output based on conditions provided",
        ),
        FORMAT,
        flag(
            Some('n'),
            "last",
            Some("int"),
            "Show n last created containers (includes all states)",
        ),
        flag(
            Some('l'),
            "latest",
            None,
            "Show the latest created container (includes all states)",
        ),
        NO_TRUNC,
        QUIET_IDS,
        flag(Some('s'), "size", None, "Display total file sizes"),
    ],
    Arity::None,
);

pub const LOGS: Spec = spec(
    "logs",
    "docker logs [OPTIONS] CONTAINER",
    "Fetch the logs of a container",
    "docker container logs, docker logs",
    &[
        flag(Some('f'), "follow", None, "Follow log output"),
        flag(
            Some('n'),
            "tail",
            Some("string"),
            "Number of lines to show from the end of the logs (default \"all\")",
        ),
        flag(Some('t'), "timestamps", None, "Show timestamps"),
    ],
    Arity::Exactly(1),
);

pub const EXEC: Spec = Spec {
    interspersed: false,
    ..spec(
        "exec",
        "docker exec [OPTIONS] CONTAINER COMMAND [ARG...]",
        "Execute a command in a running container",
        "docker container exec, docker exec",
        &[
            flag(
                Some('d'),
                "detach",
                None,
                "Detached mode: run command in the background",
            ),
            flag(Some('e'), "env", Some("list"), "Set environment variables"),
            flag(
                Some('i'),
                "interactive",
                None,
                "Keep STDIN open even if not attached",
            ),
            flag(Some('t'), "tty", None, "Allocate a pseudo-TTY"),
            flag(
                Some('u'),
                "user",
                Some("string"),
                "Username or UID (format: \"<name|uid>[:<group|gid>]\")",
            ),
            flag(
                Some('w'),
                "workdir",
                Some("string"),
                "Working directory inside the container",
            ),
        ],
        Arity::AtLeast(2),
    )
};

pub const DIFF: Spec = spec(
    "diff",
    "docker diff CONTAINER",
    "Inspect changes to files or directories on a container's filesystem",
    "docker container diff, docker diff",
    &[],
    Arity::Exactly(1),
);

pub const COMMIT: Spec = spec(
    "commit",
    "docker commit [OPTIONS] CONTAINER [REPOSITORY[:TAG]]",
    "Create a new image from a container's changes",
    "docker container commit, docker commit",
    &[
        flag(
            Some('a'),
            "author",
            Some("string"),
            "Author (e.g., \"John Hannibal Smith <hannibal@a-team.com>\")",
        ),
        flag(Some('m'), "message", Some("string"), "Commit message"),
    ],
    Arity::Range(1, 2),
);

pub const VOLUME_LS: Spec = spec(
    "volume ls",
    "docker volume ls [OPTIONS]",
    "List volumes",
    "docker volume ls, docker volume list",
    &[
        FORMAT,
        flag(Some('q'), "quiet", None, "Only display volume names"),
    ],
    Arity::None,
);

pub const VOLUME_CREATE: Spec = spec(
    "volume create",
    "docker volume create [OPTIONS] [VOLUME]",
    "Create a volume",
    "",
    &[flag(
        None,
        "label",
        Some("list"),
        "Set metadata for a volume",
    )],
    Arity::AtMost(1),
);

pub const VOLUME_RM: Spec = spec(
    "volume rm",
    "docker volume rm [OPTIONS] VOLUME [VOLUME...]",
    "Remove one or more volumes. You cannot remove a volume that is in use by a container.",
    "docker volume rm, docker volume remove",
    &[flag(
        Some('f'),
        "force",
        None,
        "Force the removal of one or more volumes",
    )],
    Arity::AtLeast(1),
);

pub const CONTAINER_PRUNE: Spec = spec(
    "container prune",
    "docker container prune [OPTIONS]",
    "Remove all stopped containers",
    "",
    &[flag(
        Some('f'),
        "force",
        None,
        "Do not prompt for confirmation",
    )],
    Arity::None,
);

pub const SYSTEM_PRUNE: Spec = spec(
    "system prune",
    "docker system prune [OPTIONS]",
    "Remove unused data",
    "",
    &[
        flag(
            Some('a'),
            "all",
            None,
            "Remove all unused images not just dangling ones",
        ),
        flag(Some('f'), "force", None, "Do not prompt for confirmation"),
        flag(None, "volumes", None, "Prune anonymous volumes"),
    ],
    Arity::None,
);

pub const VOLUME_PRUNE: Spec = spec(
    "volume prune",
    "docker volume prune [OPTIONS]",
    "Remove unused local volumes",
    "",
    &[
        flag(
            Some('a'),
            "all",
            None,
            "Remove all unused volumes, not just anonymous ones",
        ),
        flag(Some('f'), "force", None, "Do not prompt for confirmation"),
    ],
    Arity::None,
);

pub const VOLUME_INSPECT: Spec = spec(
    "volume inspect",
    "docker volume inspect [OPTIONS] VOLUME [VOLUME...]",
    "Display detailed information on one or more volumes",
    "",
    &[FORMAT],
    Arity::AtLeast(1),
);

pub const SYSTEM_DF: Spec = spec(
    "system df",
    "docker system df [OPTIONS]",
    "Show docker disk usage",
    "",
    &[
        FORMAT,
        flag(
            Some('v'),
            "verbose",
            None,
            "Show detailed information on space usage",
        ),
    ],
    Arity::None,
);

pub const VERSION: Spec = spec(
    "version",
    "docker version [OPTIONS]",
    "Show the Docker version information",
    "",
    &[FORMAT],
    Arity::None,
);

pub const INFO: Spec = spec(
    "info",
    "docker info [OPTIONS]",
    "Display system-wide information",
    "docker system info, docker info",
    &[FORMAT],
    Arity::None,
);
