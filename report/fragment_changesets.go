package report

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// changesetBumps are the bump types a changeset's front matter takes.
var changesetBumps = []string{"major", "minor", "patch", "none"}

// ParsePackage reads a --package value for a changeset: NAME, or NAME:BUMP
// with BUMP one of major, minor, patch (the default) or none.
func ParsePackage(p string) (name, bump string, err error) {
	name, bump = p, "patch"
	if i := strings.LastIndexByte(p, ':'); i > 0 {
		name, bump = p[:i], p[i+1:]
	}
	if !contains(changesetBumps, bump) {
		return name, bump, fmt.Errorf("--package %s: bump %q: want one of %s", p, bump, strings.Join(changesetBumps, ", "))
	}
	return name, bump, nil
}

func changesetFragments(root string, items []fragmentItem, o FragmentOptions) ([]Fragment, error) {
	if _, ok, err := readOptional(root, ".changeset/config.json"); err != nil {
		return nil, err
	} else if !ok {
		return nil, configErr("no .changeset/config.json in %s: run 'changeset init' first", root)
	}
	var front strings.Builder
	if len(o.Packages) > 0 {
		known, err := workspacePackages(root)
		if err != nil {
			return nil, err
		}
		seen := map[string]bool{}
		for _, p := range o.Packages {
			name, bump, err := ParsePackage(p)
			if err != nil {
				return nil, err
			}
			if !contains(known, name) {
				if len(known) == 0 {
					return nil, configErr("no package %q: %s has no package.json with a name, nor workspaces", name, root)
				}
				return nil, configErr("no package %q in the workspace (its packages: %s)", name, strings.Join(known, ", "))
			}
			if seen[name] {
				continue
			}
			seen[name] = true
			q, _ := json.Marshal(name)
			fmt.Fprintf(&front, "%s: %s\n", q, bump)
		}
	}
	var out []Fragment
	for _, it := range items {
		out = append(out, Fragment{Path: ".changeset/aitrail-" + it.id + ".md", Content: "---\n" + front.String() + "---\n\n" + it.text + "\n"})
	}
	return out, nil
}

// workspacePackages lists the names of the packages changesets versions:
// those of the workspaces that package.json (or pnpm-workspace.yaml)
// declares, else the root package.
func workspacePackages(root string) ([]string, error) {
	var pkg struct {
		Name       string          `json:"name"`
		Workspaces json.RawMessage `json:"workspaces"`
	}
	b, ok, err := readOptional(root, "package.json")
	if err != nil {
		return nil, err
	}
	if ok {
		if err := json.Unmarshal(b, &pkg); err != nil {
			return nil, fmt.Errorf("package.json: %w", err)
		}
	}
	var globs []string
	if len(pkg.Workspaces) > 0 {
		if json.Unmarshal(pkg.Workspaces, &globs) != nil {
			var w struct {
				Packages []string `json:"packages"`
			}
			if err := json.Unmarshal(pkg.Workspaces, &w); err != nil {
				return nil, fmt.Errorf("package.json: workspaces: want a list of globs or {\"packages\": [...]}")
			}
			globs = w.Packages
		}
	}
	if b, ok, err := readOptional(root, "pnpm-workspace.yaml"); err != nil {
		return nil, err
	} else if ok {
		var w struct {
			Packages []string `yaml:"packages"`
		}
		if err := yaml.Unmarshal(b, &w); err != nil {
			return nil, fmt.Errorf("pnpm-workspace.yaml: %w", err)
		}
		globs = append(globs, w.Packages...)
	}
	if len(globs) == 0 {
		if pkg.Name == "" {
			return nil, nil
		}
		return []string{pkg.Name}, nil
	}
	var dirs []string
	excluded := map[string]bool{}
	for _, g := range globs {
		neg := strings.HasPrefix(g, "!")
		g = strings.TrimPrefix(g, "!")
		matches, err := globDirs(root, g)
		if err != nil {
			return nil, fmt.Errorf("workspace glob %s: %w", strconv.Quote(g), err)
		}
		for _, m := range matches {
			if neg {
				excluded[m] = true
			} else {
				dirs = append(dirs, m)
			}
		}
	}
	var names []string
	for _, d := range dirs {
		if excluded[d] {
			continue
		}
		rel, err := filepath.Rel(root, filepath.Join(d, "package.json"))
		if err != nil {
			continue
		}
		b, ok, err := readOptional(root, rel)
		if err != nil || !ok {
			continue
		}
		var p struct {
			Name string `json:"name"`
		}
		if json.Unmarshal(b, &p) == nil && p.Name != "" && !contains(names, p.Name) {
			names = append(names, p.Name)
		}
	}
	sort.Strings(names)
	return names, nil
}

// globDirs expands a workspace glob: path.Match patterns per segment, with
// "**" for any depth (node_modules skipped).
func globDirs(root, glob string) ([]string, error) {
	glob = strings.TrimSuffix(strings.TrimPrefix(filepath.ToSlash(glob), "./"), "/")
	if !strings.Contains(glob, "**") {
		return filepath.Glob(filepath.Join(root, filepath.FromSlash(glob)))
	}
	base, rest, _ := strings.Cut(glob, "**")
	rest = strings.TrimPrefix(rest, "/")
	var out []string
	err := filepath.WalkDir(filepath.Join(root, filepath.FromSlash(base)), func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return nil
		}
		if d.Name() == "node_modules" || d.Name() == ".git" {
			return filepath.SkipDir
		}
		if rest == "" {
			out = append(out, p)
		} else if ok, _ := filepath.Match(rest, d.Name()); ok {
			out = append(out, p)
		}
		return nil
	})
	return out, err
}
