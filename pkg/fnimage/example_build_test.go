package fnimage_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/go-containerregistry/pkg/registry"

	"github.com/oci-serverless/oci-serverless-api/pkg/fnimage"
)

// Build a Go function for both architectures of OCI Functions' shapes, on an
// empty base instead of fnproject/go:1.24.
func ExampleBuilder_Build() {
	b, err := fnimage.NewBuilder(
		fnimage.WithPlatforms("linux/amd64", "linux/arm64"),
		fnimage.WithBaseImages(map[string]string{"fnproject/go:1.24": "scratch"}),
	)
	if err != nil {
		log.Fatal(err)
	}
	res, err := b.Build(context.Background(), "testdata/gofunc")
	if err != nil {
		log.Fatal(err)
	}
	imgs, err := res.Images()
	if err != nil {
		log.Fatal(err)
	}
	for i, img := range imgs {
		cf, err := img.ConfigFile()
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(res.PlatformStrings()[i], cf.Config.WorkingDir, cf.Config.Entrypoint)
	}
	fmt.Println(res.Func.Name, res.Tag)
	// Output:
	// linux/amd64 /function [./func]
	// linux/arm64 /function [./func]
	// gofunc 1.2.3
}

// Publish a built image; blobs the registry already has are not uploaded again.
func ExamplePublish() {
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")

	opts := []fnimage.Option{fnimage.WithBaseImages(map[string]string{"fnproject/go:1.24": "scratch"})}
	b, err := fnimage.NewBuilder(opts...)
	if err != nil {
		log.Fatal(err)
	}
	res, err := b.Build(context.Background(), "testdata/gofunc")
	if err != nil {
		log.Fatal(err)
	}
	tag, err := res.Reference(host + "/fns")
	if err != nil {
		log.Fatal(err)
	}
	for range 2 {
		pub, err := fnimage.Publish(context.Background(), res, tag, opts...)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(strings.TrimPrefix(pub.Tag.String(), host), "layers uploaded:", pub.Layers[0].Uploaded)
	}
	// Output:
	// /fns/gofunc:1.2.3 layers uploaded: true
	// /fns/gofunc:1.2.3 layers uploaded: false
}

// Write an image to an OCI image layout, for skopeo, umoci or crane.
func ExampleWriteLayout() {
	b, err := fnimage.NewBuilder(fnimage.WithBaseImages(map[string]string{"fnproject/go:1.24": "scratch"}))
	if err != nil {
		log.Fatal(err)
	}
	res, err := b.Build(context.Background(), "testdata/gofunc")
	if err != nil {
		log.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "layout")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	if err := fnimage.WriteLayout(dir, res, "gofunc:1.2.3"); err != nil {
		log.Fatal(err)
	}
	_, err = os.Stat(filepath.Join(dir, "index.json"))
	fmt.Println("index.json written:", err == nil)
	// Output: index.json written: true
}

func ExampleParsePlatforms() {
	ps, err := fnimage.ParsePlatforms([]string{"linux/arm64,linux/amd64"})
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range ps {
		fmt.Printf("%s/%s variant=%q\n", p.OS, p.Architecture, p.Variant)
	}
	_, err = fnimage.ParsePlatforms([]string{"linux/s390x"})
	fmt.Println(err != nil)
	// Output:
	// linux/amd64 variant=""
	// linux/arm64 variant="v8"
	// true
}

func ExampleShapePlatforms() {
	for _, shape := range []string{"GENERIC_X86", "GENERIC_ARM", "GENERIC_X86_ARM"} {
		ps, err := fnimage.ShapePlatforms(shape)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(shape, ps)
	}
	// Output:
	// GENERIC_X86 [linux/amd64]
	// GENERIC_ARM [linux/arm64]
	// GENERIC_X86_ARM [linux/amd64 linux/arm64]
}
