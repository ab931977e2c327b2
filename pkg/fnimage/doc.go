// Package fnimage builds OCI Functions images from an Fn func.yaml without
// Docker and publishes them to a registry such as OCI Container Registry.
//
// The output is equivalent to what `fn build` produces for the same function
// (see the README in this directory for the exact contract and the places
// where osa deliberately differs): the run image of the function's runtime,
// plus the function's files under /function, with WorkingDir /function and
// the func.yaml entrypoint. Images are ggcr values (v1.Image, v1.ImageIndex),
// built reproducibly: the same inputs give the same digest on any machine.
//
// The package never prints; progress is reported through a callback and a
// *slog.Logger given as options.
package fnimage
