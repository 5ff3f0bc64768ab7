package report

import (
	"bytes"
	"fmt"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"text/template"
	"time"

	"gopkg.in/yaml.v3"
)

// changieConfig is what aitrail reads of .changie.yaml.
type changieConfig struct {
	ChangesDir         string          `yaml:"changesDir"`
	UnreleasedDir      string          `yaml:"unreleasedDir"`
	FragmentFileFormat string          `yaml:"fragmentFileFormat"`
	Kinds              []changieKind   `yaml:"kinds"`
	Custom             []changieCustom `yaml:"custom"`
	Components         []string        `yaml:"components"`
	Projects           []struct {
		Label string `yaml:"label"`
		Key   string `yaml:"key"`
	} `yaml:"projects"`
	Body struct {
		MinLength *int `yaml:"minLength"`
		MaxLength *int `yaml:"maxLength"`
	} `yaml:"body"`
}

type changieKind struct {
	Label             string          `yaml:"label"`
	Key               string          `yaml:"key"`
	SkipBody          bool            `yaml:"skipBody"`
	SkipGlobalChoices bool            `yaml:"skipGlobalChoices"`
	AdditionalChoices []changieCustom `yaml:"additionalChoices"`
}

// id is what a change file names the kind by: its key, else its label.
func (k changieKind) id() string {
	if k.Key != "" {
		return k.Key
	}
	return k.Label
}

type changieCustom struct {
	Key         string   `yaml:"key"`
	Type        string   `yaml:"type"`
	Optional    bool     `yaml:"optional"`
	MinInt      *int64   `yaml:"minInt"`
	MaxInt      *int64   `yaml:"maxInt"`
	MinLength   *int     `yaml:"minLength"`
	MaxLength   *int     `yaml:"maxLength"`
	EnumOptions []string `yaml:"enumOptions"`
}

// changieChange is a change file, in changie's field order.
type changieChange struct {
	Project   string            `yaml:"project,omitempty"`
	Component string            `yaml:"component,omitempty"`
	Kind      string            `yaml:"kind,omitempty"`
	Body      string            `yaml:"body,omitempty"`
	Time      time.Time         `yaml:"time"`
	Custom    map[string]string `yaml:"custom,omitempty"`
}

func changieFragments(root string, items []fragmentItem, o FragmentOptions) ([]Fragment, error) {
	var cfg changieConfig
	name, found := "", false
	for _, n := range []string{".changie.yaml", ".changie.yml"} {
		b, ok, err := readOptional(root, n)
		if err != nil {
			return nil, err
		}
		if ok {
			if err := yaml.Unmarshal(b, &cfg); err != nil {
				return nil, fmt.Errorf("%s: %w", n, err)
			}
			name, found = n, true
			break
		}
	}
	if !found {
		return nil, configErr("no .changie.yaml in %s: run 'changie init' first", root)
	}
	if cfg.ChangesDir == "" {
		cfg.ChangesDir = ".changes"
	}
	if cfg.UnreleasedDir == "" {
		cfg.UnreleasedDir = "unreleased"
	}
	var kind *changieKind
	if len(cfg.Kinds) > 0 {
		keys, names := make([]string, len(cfg.Kinds)), make([]string, len(cfg.Kinds))
		for i, k := range cfg.Kinds {
			keys[i], names[i] = k.id(), k.Label
		}
		id, ok := pickKind(o.Kind, keys, names)
		if !ok {
			if o.Kind != "" {
				return nil, configErr("%s has no kind %q (its kinds: %s)", name, o.Kind, strings.Join(names, ", "))
			}
			return nil, configErr("%s has no kind for AI assistance (its kinds: %s): add one, e.g.\n  kinds:\n    - label: AI assistance\n      key: ai\n      auto: none\nor pass --kind with one of its kinds", name, strings.Join(names, ", "))
		}
		for i := range cfg.Kinds {
			if cfg.Kinds[i].id() == id {
				kind = &cfg.Kinds[i]
			}
		}
		if kind.SkipBody {
			return nil, configErr("%s: kind %q takes no body (skipBody), so it cannot carry the disclosure: choose another with --kind", name, kind.Label)
		}
	} else if o.Kind != "" {
		return nil, configErr("%s configures no kinds, so --kind %q cannot be used", name, o.Kind)
	}
	if o.Component != "" && !contains(cfg.Components, o.Component) {
		return nil, configErr("%s has no component %q (its components: %s)", name, o.Component, strings.Join(cfg.Components, ", "))
	}
	var projects []string
	for _, p := range cfg.Projects {
		projects = append(projects, p.Key)
	}
	switch {
	case len(projects) > 0 && o.Project == "":
		return nil, configErr("%s configures projects (%s): pass --project with the one the fragment is for", name, strings.Join(projects, ", "))
	case o.Project != "" && !contains(projects, o.Project):
		return nil, configErr("%s has no project %q (its projects: %s)", name, o.Project, strings.Join(projects, ", "))
	}
	choices := cfg.Custom
	if kind != nil {
		if kind.SkipGlobalChoices {
			choices = nil
		}
		choices = append(append([]changieCustom{}, choices...), kind.AdditionalChoices...)
	}
	custom, err := changieCustomValues(name, choices, o.Custom)
	if err != nil {
		return nil, err
	}
	var tmpl *template.Template
	if cfg.FragmentFileFormat != "" {
		if tmpl, err = template.New("fragmentFileFormat").Parse(cfg.FragmentFileFormat); err != nil {
			return nil, fmt.Errorf("%s: fragmentFileFormat: %w", name, err)
		}
	}
	var out []Fragment
	used := map[string]bool{}
	for _, it := range items {
		if n := len([]rune(it.text)); cfg.Body.MaxLength != nil && n > *cfg.Body.MaxLength || cfg.Body.MinLength != nil && n < *cfg.Body.MinLength {
			return nil, configErr("%s limits a body's length (body.minLength/maxLength); aitrail's is %d characters", name, n)
		}
		c := changieChange{Project: o.Project, Component: o.Component, Body: it.text, Time: it.when.UTC(), Custom: custom}
		if kind != nil {
			c.Kind = kind.id()
		}
		base := strings.Join(nonEmpty(c.Project, c.Component, c.Kind, c.Time.Format("20060102-150405")), "-")
		if tmpl != nil {
			var b bytes.Buffer
			data := map[string]any{"Project": c.Project, "Component": c.Component, "Kind": c.Kind, "Body": c.Body,
				"Time": c.Time, "Custom": c.Custom, "Env": map[string]string{}}
			if err := tmpl.Execute(&b, data); err != nil {
				return nil, fmt.Errorf("%s: fragmentFileFormat: %w", name, err)
			}
			base = b.String()
		}
		base = strings.NewReplacer("/", "-", "\\", "-").Replace(base)
		if used[base] {
			base += "-" + it.id
		}
		used[base] = true
		text, err := yaml.Marshal(c)
		if err != nil {
			return nil, err
		}
		out = append(out, Fragment{Path: path.Join(filepath.ToSlash(cfg.ChangesDir), filepath.ToSlash(cfg.UnreleasedDir), base+".yaml"), Content: string(text)})
	}
	return out, nil
}

// changieCustomValues checks the given custom values against the
// configured choices: every key known, every required one given, each
// value of its type.
func changieCustomValues(name string, choices []changieCustom, given map[string]string) (map[string]string, error) {
	byKey := map[string]changieCustom{}
	var keys []string
	for _, c := range choices {
		byKey[c.Key] = c
		keys = append(keys, c.Key)
	}
	for k, v := range given {
		c, ok := byKey[k]
		if !ok {
			return nil, configErr("%s has no custom choice %q (its choices: %s)", name, k, strings.Join(keys, ", "))
		}
		if err := c.check(v); err != nil {
			return nil, configErr("%s: custom %s: %v", name, k, err)
		}
	}
	for _, c := range choices {
		if _, ok := given[c.Key]; !ok && !c.Optional {
			return nil, configErr("%s requires the custom value %q: pass --custom %s=VALUE", name, c.Key, c.Key)
		}
	}
	if len(given) == 0 {
		return nil, nil
	}
	return given, nil
}

func (c changieCustom) check(v string) error {
	switch c.Type {
	case "int":
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return fmt.Errorf("%q is not an integer", v)
		}
		if c.MinInt != nil && n < *c.MinInt || c.MaxInt != nil && n > *c.MaxInt {
			return fmt.Errorf("%d is out of the configured range", n)
		}
	case "enum":
		if !contains(c.EnumOptions, v) {
			return fmt.Errorf("%q is not one of %s", v, strings.Join(c.EnumOptions, ", "))
		}
	default: // string, block
		if n := len([]rune(v)); c.MinLength != nil && n < *c.MinLength || c.MaxLength != nil && n > *c.MaxLength {
			return fmt.Errorf("%d characters is outside the configured length", n)
		}
	}
	return nil
}

func nonEmpty(parts ...string) []string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}
