// Package e2e is the end-to-end test rig: it runs the real third-party tools
// that prove a built function image works without Docker.
//
// A test starts a CNCF distribution registry with password auth
// ([StartRegistry]), pushes a stand-in for the Fn Go run image
// ([PushGoBase]) or any other image, and runs an image the way the Fn agent
// and OCI Functions do ([RunImage]): pulled with skopeo, unpacked with umoci
// and started with runc as uid 1000 with a read-only root, a tmpfs /tmp, no
// capabilities and the FN_* environment, then waits for the FDK's
// listener socket and calls the function over it ([Container.Invoke]).
//
// The tools come from hack/install-tools.sh: runc, umoci and skopeo on PATH,
// registry and ko in ToolsDir()/bin. A missing tool fails the test (it is
// never skipped), so run the script first. The rig needs root.
//
// Everything here is test support: it takes a [testing.TB] and fails the test
// on error instead of returning one, except [Container.Invoke], whose errors
// are part of what a test asserts.
package e2e
