package fnimage

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
)

// contextEntries maps the build context to layer entries under dest in the
// image (fn's `ADD . /function/`), leaving out the paths skip accepts (and
// everything below a skipped directory).
func (j *job) contextEntries(dest string, skip func(rel string) bool) []layerEntry {
	out := make([]layerEntry, 0, len(j.files))
	var skippedDir string
	for _, f := range j.files {
		if skippedDir != "" && (f.Rel == skippedDir || len(f.Rel) > len(skippedDir) && f.Rel[:len(skippedDir)+1] == skippedDir+"/") {
			continue
		}
		if skip != nil && skip(f.Rel) {
			if f.Mode.IsDir() {
				skippedDir = f.Rel
			}
			continue
		}
		skippedDir = ""
		e := layerEntry{path: imagePath(path.Join(dest, f.Rel)), mode: f.Mode, linkname: f.LinkTarget}
		if f.Mode.IsRegular() {
			e.src = filepath.Join(j.dir, filepath.FromSlash(f.Rel))
		}
		out = append(out, e)
	}
	return out
}

// dirEntries maps a directory on the host (such as pip's --target or an
// npm install) to layer entries under dest. Symbolic links must stay inside
// root; anything else but files, directories and links is refused.
func dirEntries(root, dest string) ([]layerEntry, error) {
	var out []layerEntry
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		if rel == "." {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		e := layerEntry{path: imagePath(path.Join(dest, filepath.ToSlash(rel))), mode: info.Mode()}
		switch {
		case info.Mode().IsRegular():
			e.src = p
		case info.IsDir():
		case info.Mode()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			resolved := target
			if !filepath.IsAbs(target) {
				resolved = filepath.Join(filepath.Dir(p), target)
			}
			if r, err := filepath.Rel(root, resolved); err != nil || r == ".." || len(r) > 2 && r[:3] == "../" || filepath.IsAbs(target) {
				return fmt.Errorf("%s: symbolic link to %s leaves the installed tree", rel, target)
			}
			e.linkname = target
		default:
			return fmt.Errorf("%s: not a regular file, directory or symbolic link", rel)
		}
		out = append(out, e)
		return nil
	})
	return out, err
}
