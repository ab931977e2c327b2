package fnimage_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/oci-serverless/oci-serverless-api/internal/e2e"
	"github.com/oci-serverless/oci-serverless-api/pkg/fnimage"
)

// TestHelloGoEndToEnd builds examples/hello-go (fdk-go) for both OCI shapes'
// architectures onto a base in a real registry (the CNCF distribution
// registry, with htpasswd auth), pulls it back with skopeo, unpacks it with
// umoci and runs it with runc the way OCI Functions does (uid 1000,
// read-only root, tmpfs /tmp, no capabilities), then invokes it over the Fn
// http-stream contract as API Gateway would.
func TestHelloGoEndToEnd(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	reg := e2e.StartRegistry(t)
	base := e2e.PushGoBase(t, ctx, reg, "mirror/fnproject/go:1.24")

	opts := []fnimage.Option{
		fnimage.WithPlatforms("linux/amd64", "linux/arm64"),
		fnimage.WithBaseImages(map[string]string{"fnproject/go:1.24": base.String()}),
		fnimage.WithAuth(reg.Host, reg.Username, reg.Password),
	}
	b, err := fnimage.NewBuilder(opts...)
	require.NoError(t, err)
	res, err := b.Build(ctx, "../../examples/hello-go")
	require.NoError(t, err)
	tag, err := res.Reference(reg.Host + "/fns")
	require.NoError(t, err)
	pub, err := fnimage.Publish(ctx, res, tag, opts...)
	require.NoError(t, err)
	require.Equal(t, []string{"linux/amd64", "linux/arm64"}, pub.Platforms)

	// What a registry client sees, independently of our code.
	cfg := e2e.ImageConfig(t, ctx, pub.Reference.String(), reg)
	require.Equal(t, "/function", cfg.Config.WorkingDir)
	require.Equal(t, []string{"./func"}, cfg.Config.Entrypoint)
	files := e2e.ImageFiles(t, ctx, pub.Reference.String(), reg, "linux/arm64")
	require.Contains(t, files, "function/func")
	require.Contains(t, files, "etc/passwd", "the base's files are kept")

	c := e2e.RunImage(t, ctx, pub.Reference.String(), reg, e2e.RunOptions{MemoryMB: 128, FnName: "hello-go", AppName: "examples"})
	defer c.Stop()

	t.Run("gateway call", func(t *testing.T) {
		resp, err := c.Invoke(ctx, e2e.InvokeRequest{
			Gateway: true, Method: http.MethodPost, URL: "/v1/hello",
			Header: http.Header{"Content-Type": {"application/json"}, "X-Request-Id": {"req-1"}},
			Body:   []byte(`{"name":"osa"}`),
		})
		require.NoError(t, err, "logs:\n%s", c.Logs())
		require.Equal(t, http.StatusOK, resp.Status)
		require.Equal(t, http.StatusOK, resp.HTTPStatus)
		require.Equal(t, "application/json", resp.RawHeader.Get("Content-Type"))
		var body map[string]string
		require.NoError(t, json.Unmarshal(resp.Body, &body), "body %q", resp.Body)
		require.Equal(t, map[string]string{"message": "Hello, osa!", "method": "POST", "url": "/v1/hello"}, body)
	})
	t.Run("gateway call with a bad body", func(t *testing.T) {
		resp, err := c.Invoke(ctx, e2e.InvokeRequest{
			Gateway: true, Method: http.MethodPost, URL: "/v1/hello",
			Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(`{"name":`),
		})
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, resp.Status, "the FDK answers the agent with 200")
		require.Equal(t, http.StatusBadRequest, resp.HTTPStatus, "and the user's status in Fn-Http-Status")
	})
	t.Run("direct invoke", func(t *testing.T) {
		resp, err := c.Invoke(ctx, e2e.InvokeRequest{Body: []byte(`{"name":"direct"}`), Header: http.Header{"Content-Type": {"application/json"}}})
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, resp.Status)
		require.JSONEq(t, `{"message":"Hello, direct!"}`, string(resp.Body))
	})
}
