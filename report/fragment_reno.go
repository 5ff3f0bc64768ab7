package report

import (
	"fmt"
	"path"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"
)

// renoSections are reno's default sections.
var renoSections = []string{"features", "issues", "upgrade", "deprecations", "critical", "security", "fixes", "other"}

func renoFragments(root string, items []fragmentItem, o FragmentOptions) ([]Fragment, error) {
	var cfg struct {
		NotesDir string  `yaml:"notesdir"`
		Sections [][]any `yaml:"sections"`
		Prelude  string  `yaml:"prelude_section_name"`
	}
	relnotes := "releasenotes"
	name := ""
	for _, n := range []string{path.Join(relnotes, "config.yaml"), "reno.yaml"} {
		b, ok, err := readOptional(root, n)
		if err != nil {
			return nil, err
		}
		if ok {
			if err := yaml.Unmarshal(b, &cfg); err != nil {
				return nil, fmt.Errorf("%s: %w", n, err)
			}
			name = n
			break
		}
	}
	if name == "" {
		// reno runs without a configuration file, but a repository that
		// uses it has its notes directory.
		if !isDir(filepath.Join(root, relnotes, "notes")) {
			return nil, configErr("no releasenotes/config.yaml, reno.yaml or releasenotes/notes/ in %s: set reno up first", root)
		}
		name = "reno's defaults"
	}
	if cfg.NotesDir == "" {
		cfg.NotesDir = "notes"
	}
	sections := renoSections
	if len(cfg.Sections) > 0 {
		sections = nil
		for _, s := range cfg.Sections {
			if len(s) > 0 {
				sections = append(sections, fmt.Sprint(s[0]))
			}
		}
	}
	section := o.Kind
	if section == "" {
		section = "other"
	}
	if !contains(sections, section) {
		if o.Kind == "" {
			return nil, configErr("%s has no section \"other\" (its sections: %s): pass --kind with one of them", name, strings.Join(sections, ", "))
		}
		return nil, configErr("%s has no section %q (its sections: %s)", name, section, strings.Join(sections, ", "))
	}
	var out []Fragment
	for _, it := range items {
		body, err := yaml.Marshal(map[string][]string{section: {it.text}})
		if err != nil {
			return nil, err
		}
		out = append(out, Fragment{
			Path:    path.Join(relnotes, filepath.ToSlash(cfg.NotesDir), "aitrail-"+it.id+"-"+uid16(it.seed)+".yaml"),
			Content: "---\n" + string(body),
		})
	}
	return out, nil
}
