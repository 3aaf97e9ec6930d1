//! Media types from the OCI image spec (`media-types.md`) and their Docker v2.2
//! equivalents, which `docker save` archives and Docker Hub still use.

pub const OCI_LAYOUT_HEADER: &str = "application/vnd.oci.layout.header.v1+json";
pub const DESCRIPTOR: &str = "application/vnd.oci.descriptor.v1+json";
pub const IMAGE_INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub const IMAGE_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const IMAGE_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
/// An uncompressed layer tar: its digest is its diff_id.
pub const IMAGE_LAYER: &str = "application/vnd.oci.image.layer.v1.tar";
pub const IMAGE_LAYER_GZIP: &str = "application/vnd.oci.image.layer.v1.tar+gzip";
pub const IMAGE_LAYER_ZSTD: &str = "application/vnd.oci.image.layer.v1.tar+zstd";
pub const EMPTY_JSON: &str = "application/vnd.oci.empty.v1+json";

pub const DOCKER_MANIFEST_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
pub const DOCKER_CONFIG: &str = "application/vnd.docker.container.image.v1+json";
pub const DOCKER_LAYER: &str = "application/vnd.docker.image.rootfs.diff.tar";
pub const DOCKER_LAYER_GZIP: &str = "application/vnd.docker.image.rootfs.diff.tar.gzip";

/// The annotation an OCI layout's `index.json` uses to name a manifest
/// (`image-layout.md`, `annotations.md`): a tag such as `latest`.
pub const ANNOTATION_REF_NAME: &str = "org.opencontainers.image.ref.name";
/// The full reference containerd and `docker save` (v25+) put beside it.
pub const ANNOTATION_IMAGE_NAME: &str = "io.containerd.image.name";

/// Is this a (possibly gzip-compressed) layer tar, in either vocabulary?
pub fn is_layer(media_type: &str) -> bool {
    matches!(
        media_type,
        IMAGE_LAYER | IMAGE_LAYER_GZIP | DOCKER_LAYER | DOCKER_LAYER_GZIP
    )
}

/// Is this layer media type gzip-compressed?
pub fn is_gzip_layer(media_type: &str) -> bool {
    matches!(media_type, IMAGE_LAYER_GZIP | DOCKER_LAYER_GZIP)
}

pub fn is_manifest(media_type: &str) -> bool {
    matches!(media_type, IMAGE_MANIFEST | DOCKER_MANIFEST)
}

pub fn is_index(media_type: &str) -> bool {
    matches!(media_type, IMAGE_INDEX | DOCKER_MANIFEST_LIST)
}
