package report

import (
	"fmt"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
)

// towncrierConfig is what aitrail reads of [tool.towncrier].
type towncrierConfig struct {
	Directory    *string `toml:"directory"`
	Package      string  `toml:"package"`
	PackageDir   string  `toml:"package_dir"`
	Filename     string  `toml:"filename"`
	OrphanPrefix *string `toml:"orphan_prefix"`
	Type         []struct {
		Directory   string `toml:"directory"`
		Name        string `toml:"name"`
		ShowContent bool   `toml:"showcontent"`
	} `toml:"type"`
	Fragment map[string]struct {
		Name        string `toml:"name"`
		ShowContent *bool  `toml:"showcontent"`
	} `toml:"fragment"`
	Section []struct {
		Name string `toml:"name"`
		Path string `toml:"path"`
	} `toml:"section"`
}

type towncrierType struct {
	key, name string
	show      bool
}

// types returns the fragment types as towncrier loads them: its
// [tool.towncrier.fragment.*] tables (sorted), else its
// [[tool.towncrier.type]] array, else the defaults.
func (c *towncrierConfig) types() []towncrierType {
	var out []towncrierType
	switch {
	case len(c.Fragment) > 0:
		for k, f := range c.Fragment {
			t := towncrierType{key: k, name: f.Name, show: f.ShowContent == nil || *f.ShowContent}
			if t.name == "" {
				t.name = strings.ToUpper(k[:1]) + strings.ToLower(k[1:])
			}
			out = append(out, t)
		}
		sort.Slice(out, func(i, j int) bool { return out[i].key < out[j].key })
	case len(c.Type) > 0:
		for _, t := range c.Type {
			out = append(out, towncrierType{t.Directory, t.Name, t.ShowContent})
		}
	default:
		out = []towncrierType{{"feature", "Features", true}, {"bugfix", "Bugfixes", true}, {"doc", "Improved Documentation", true},
			{"removal", "Deprecations and Removals", true}, {"misc", "Misc", false}}
	}
	return out
}

func towncrierFragments(root string, items []fragmentItem, o FragmentOptions) ([]Fragment, error) {
	var wrapper struct {
		Tool struct {
			Towncrier *towncrierConfig `toml:"towncrier"`
		} `toml:"tool"`
	}
	name := ""
	for _, n := range []string{"towncrier.toml", "pyproject.toml"} {
		b, ok, err := readOptional(root, n)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		if _, err := toml.Decode(string(b), &wrapper); err != nil {
			return nil, fmt.Errorf("%s: %w", n, err)
		}
		if wrapper.Tool.Towncrier != nil || n == "towncrier.toml" {
			name = n // towncrier reads towncrier.toml whenever it exists
			break
		}
	}
	cfg := wrapper.Tool.Towncrier
	if name == "" || cfg == nil {
		return nil, configErr("no [tool.towncrier] in %s's towncrier.toml or pyproject.toml: configure towncrier first", root)
	}
	types := cfg.types()
	keys, names := make([]string, len(types)), make([]string, len(types))
	for i, t := range types {
		keys[i], names[i] = t.key, t.name
	}
	key, ok := pickKind(o.Kind, keys, names)
	if !ok {
		if o.Kind != "" {
			return nil, configErr("%s has no fragment type %q (its types: %s)", name, o.Kind, strings.Join(keys, ", "))
		}
		return nil, configErr("%s has no fragment type for AI assistance (its types: %s): add one, e.g.\n  [[tool.towncrier.type]]\n  directory = \"ai\"\n  name = \"AI assistance\"\n  showcontent = true\nor pass --kind with one of its types", name, strings.Join(keys, ", "))
	}
	for _, t := range types {
		if t.key == key && !t.show {
			return nil, configErr("%s: fragment type %q hides its content (showcontent = false), so the disclosure would not show: choose another with --kind", name, key)
		}
	}
	dir := ""
	if cfg.Directory != nil {
		dir = *cfg.Directory
	} else {
		pd := cfg.PackageDir
		if pd == "" {
			pd = "."
		}
		dir = path.Join(filepath.ToSlash(pd), cfg.Package, "newsfragments")
	}
	if len(cfg.Section) > 0 {
		var sections []string
		found := false
		for _, s := range cfg.Section {
			sections = append(sections, fmt.Sprintf("%q", s.Name))
			if s.Name == o.Component || o.Component == "" && s.Path == "" {
				dir, found = path.Join(s.Path, dir), true
				break
			}
		}
		if !found {
			return nil, configErr("%s configures sections (%s): pass --component with the one the fragment is for", name, strings.Join(sections, ", "))
		}
	} else if o.Component != "" {
		return nil, configErr("%s configures no sections, so --component %q cannot be used", name, o.Component)
	}
	prefix := "+"
	if cfg.OrphanPrefix != nil {
		prefix = *cfg.OrphanPrefix
	}
	ext := ".rst"
	if strings.HasSuffix(strings.ToLower(cfg.Filename), ".md") {
		ext = ".md"
	}
	var out []Fragment
	for _, it := range items {
		out = append(out, Fragment{Path: path.Join(filepath.ToSlash(dir), prefix+"aitrail-"+it.id+"."+key+ext), Content: it.text + "\n"})
	}
	return out, nil
}
