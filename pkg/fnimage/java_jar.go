package fnimage

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"
	"time"
)

// jarResult is what normaliseJar found in a jar.
type jarResult struct {
	signed     bool // the jar has a signature, so it was copied unchanged
	classMajor int  // the highest class file version, 0 if there are no classes
}

// normaliseJar writes the jar src to dst so that the same classes and
// resources always give the same bytes, whatever the build machine, its file
// times, its file system's directory order or its user:
//   - META-INF/ and META-INF/MANIFEST.MF first (where java.util.jar looks for
//     the manifest), then every other entry sorted by name;
//   - every entry time set to mtime (no earlier than 1980, the first time a
//     zip can hold), no extra fields, no comments, modes 0644 and 0755;
//   - the manifest without Built-By (the user who ran Maven), and the
//     pom.properties Maven writes without their comment lines (a build date);
//   - entries compressed again with Go's deflate.
//
// Maven 3.8's default maven-jar-plugin (2.4) ignores
// project.build.outputTimestamp, so this is needed even though osa sets it.
// A signed jar is copied unchanged: rewriting its manifest would break the
// signature.
func normaliseJar(src, dst string, mtime time.Time) (jarResult, error) {
	zr, err := zip.OpenReader(src)
	if err != nil {
		return jarResult{}, err
	}
	defer func() { _ = zr.Close() }() // read-only

	var res jarResult
	files := append([]*zip.File(nil), zr.File...)
	for _, f := range files {
		res.signed = res.signed || isJarSignature(f.Name)
	}
	sort.SliceStable(files, func(a, b int) bool {
		ra, rb := jarEntryRank(files[a].Name), jarEntryRank(files[b].Name)
		if ra != rb {
			return ra < rb
		}
		return files[a].Name < files[b].Name
	})

	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return jarResult{}, err
	}
	if res.signed {
		res.classMajor, err = jarClassMajor(files)
		if err == nil {
			err = copyJarFile(src, out)
		}
		return res, closeJar(out, err)
	}
	w := zip.NewWriter(out)
	t := zipTime(mtime)
	for _, f := range files {
		if err = writeJarEntry(w, f, t, &res); err != nil {
			break
		}
	}
	if err == nil {
		err = w.Close()
	}
	return res, closeJar(out, err)
}

// writeJarEntry copies one entry, rewritten, into w.
func writeJarEntry(w *zip.Writer, f *zip.File, t time.Time, res *jarResult) error {
	hdr := &zip.FileHeader{Name: f.Name, Method: zip.Deflate, Modified: t}
	if strings.HasSuffix(f.Name, "/") {
		hdr.Method = zip.Store
		hdr.SetMode(fs.ModeDir | 0o755)
		_, err := w.CreateHeader(hdr)
		return err
	}
	hdr.SetMode(0o644)
	data, err := readJarEntry(f)
	if err != nil {
		return err
	}
	if major := classMajor(f.Name, data); major > res.classMajor {
		res.classMajor = major
	}
	data = rewriteJarEntry(f.Name, data)
	wr, err := w.CreateHeader(hdr)
	if err != nil {
		return err
	}
	_, err = wr.Write(data)
	return err
}

func readJarEntry(f *zip.File) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f.Name, err)
	}
	defer func() { _ = rc.Close() }() // read-only
	data, err := io.ReadAll(rc)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f.Name, err)
	}
	return data, nil
}

// rewriteJarEntry removes what depends on who built the jar and when.
func rewriteJarEntry(name string, data []byte) []byte {
	switch {
	case name == "META-INF/MANIFEST.MF":
		return withoutManifestHeader(data, "Built-By")
	case strings.HasPrefix(name, "META-INF/maven/") && path.Base(name) == "pom.properties":
		var out bytes.Buffer
		for _, line := range bytes.SplitAfter(data, []byte("\n")) {
			if !bytes.HasPrefix(bytes.TrimLeft(line, " \t"), []byte("#")) {
				out.Write(line)
			}
		}
		return out.Bytes()
	}
	return data
}

// withoutManifestHeader removes the main-section header name (and its
// continuation lines, which start with a space) from a jar manifest.
func withoutManifestHeader(data []byte, name string) []byte {
	var out bytes.Buffer
	skipping := false
	for _, line := range bytes.SplitAfter(data, []byte("\n")) {
		if skipping && bytes.HasPrefix(line, []byte(" ")) {
			continue
		}
		key, _, isHeader := bytes.Cut(line, []byte(":"))
		skipping = isHeader && strings.EqualFold(string(key), name)
		if !skipping {
			out.Write(line)
		}
	}
	return out.Bytes()
}

// jarEntryRank puts META-INF/ and the manifest before every other entry.
func jarEntryRank(name string) int {
	switch strings.ToUpper(name) {
	case "META-INF/":
		return 0
	case "META-INF/MANIFEST.MF":
		return 1
	}
	return 2
}

// isJarSignature reports whether name is a jar signature file.
func isJarSignature(name string) bool {
	dir, file := path.Split(strings.ToUpper(name))
	if dir != "META-INF/" {
		return false
	}
	for _, ext := range []string{".SF", ".RSA", ".DSA", ".EC"} {
		if strings.HasSuffix(file, ext) {
			return true
		}
	}
	return strings.HasPrefix(file, "SIG-")
}

// classMajor returns the class file version of a .class entry, 0 for other
// entries and for the classes of multi-release jars, which are for newer
// Javas by design.
func classMajor(name string, data []byte) int {
	if !strings.HasSuffix(name, ".class") || strings.HasPrefix(name, "META-INF/versions/") ||
		len(data) < 8 || binary.BigEndian.Uint32(data) != 0xCAFEBABE {
		return 0
	}
	return int(binary.BigEndian.Uint16(data[6:8]))
}

// jarClassMajor returns the highest class file version in files.
func jarClassMajor(files []*zip.File) (int, error) {
	highest := 0
	for _, f := range files {
		if !strings.HasSuffix(f.Name, ".class") {
			continue
		}
		data, err := readJarEntry(f)
		if err != nil {
			return 0, err
		}
		highest = max(highest, classMajor(f.Name, data))
	}
	return highest, nil
}

// jarHasEntry reports whether the jar holds an entry called name.
func jarHasEntry(jar, name string) (bool, error) {
	zr, err := zip.OpenReader(jar)
	if err != nil {
		return false, err
	}
	defer func() { _ = zr.Close() }() // read-only
	for _, f := range zr.File {
		if f.Name == name {
			return true, nil
		}
	}
	return false, nil
}

// zipTime returns t in UTC, no earlier than 1980-01-01, the first time an
// MS-DOS date (which zip entries carry) can hold.
func zipTime(t time.Time) time.Time {
	if earliest := time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC); t.Before(earliest) {
		return earliest
	}
	return t.UTC()
}

func copyJarFile(src string, out io.Writer) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer func() { _ = in.Close() }() // read-only
	_, err = io.Copy(out, in)
	return err
}

// closeJar closes the output file, returning err or the close error.
func closeJar(f *os.File, err error) error {
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
