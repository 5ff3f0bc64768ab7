package redact

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"gopkg.in/yaml.v3"
)

// RuleFileEdit is a rule file opened for editing. It is kept as a YAML
// tree, so that the file's comments and the order of its rules survive.
type RuleFileEdit struct {
	path string
	doc  *yaml.Node // the document
	list *yaml.Node // its list of rules
}

const ruleFileHeader = `aitrail redaction rules, applied after the built-in pack in file order.
The format is described in docs/redaction.md; check this file with 'aitrail rules validate'.`

// EditRuleFile reads a rule file for editing; a missing or empty file is a
// new, empty one.
func EditRuleFile(path string) (*RuleFileEdit, error) {
	data, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read rules: %w", err)
	}
	return EditRuleData(path, data)
}

// EditRuleData opens for editing the rule file at path whose content the
// caller read (a repository's file is read with repofile.Read); empty
// data is a new, empty file.
func EditRuleData(path string, data []byte) (*RuleFileEdit, error) {
	d := &RuleFileEdit{path: path}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		d.list = &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		d.doc = &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{{
			Kind: yaml.MappingNode, Tag: "!!map", HeadComment: ruleFileHeader,
			Content: []*yaml.Node{scalarNode("rules"), d.list},
		}}}
		return d, nil
	}
	d.doc = &doc
	root := doc.Content[0]
	switch root.Kind {
	case yaml.SequenceNode:
		d.list = root
	case yaml.MappingNode:
		for i := 0; i+1 < len(root.Content); i += 2 {
			if root.Content[i].Value != "rules" {
				continue
			}
			v := root.Content[i+1]
			if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
				*v = yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
			}
			d.list = v
		}
		if d.list == nil {
			d.list = &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
			root.Content = append(root.Content, scalarNode("rules"), d.list)
		}
	}
	if d.list == nil || d.list.Kind != yaml.SequenceNode {
		return nil, fmt.Errorf("%s:%d: want a list of rules, or a mapping with a rules list", path, root.Line)
	}
	return d, nil
}

// Path is the file being edited.
func (d *RuleFileEdit) Path() string { return d.path }

// find returns the index of rule id in the list and its line, or -1.
func (d *RuleFileEdit) find(id string) (int, int) {
	for i, n := range d.list.Content {
		if n.Kind != yaml.MappingNode {
			continue
		}
		for k := 0; k+1 < len(n.Content); k += 2 {
			if n.Content[k].Value == "id" && n.Content[k+1].Value == id {
				return i, n.Line
			}
		}
	}
	return -1, 0
}

// Add appends a rule written with the keys a user writes by hand: id,
// type, pattern, keywords, scope (unless global), replacement,
// description, reason and actor. An id the file already has is an error
// naming its line.
func (d *RuleFileEdit) Add(r Rule) error {
	if _, line := d.find(r.ID); line > 0 {
		return fmt.Errorf("%s:%d: rule %q already exists (remove it first with 'aitrail rules remove %s')", d.path, line, r.ID, r.ID)
	}
	n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	add := func(k string, v *yaml.Node) { n.Content = append(n.Content, scalarNode(k), v) }
	addText := func(k, v string) {
		if v != "" {
			add(k, scalarNode(v))
		}
	}
	addText("id", r.ID)
	addText("type", r.Type)
	addText("pattern", r.Pattern)
	if len(r.Keywords) > 0 {
		kw := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Style: yaml.FlowStyle}
		for _, k := range r.Keywords {
			kw.Content = append(kw.Content, scalarNode(k))
		}
		add("keywords", kw)
	}
	if r.Scope != RuleScopeGlobal {
		addText("scope", r.Scope)
	}
	addText("replacement", r.Replacement)
	addText("description", r.Description)
	addText("reason", r.Reason)
	addText("actor", r.Actor)
	d.list.Style = 0 // block style, also when the list was written []
	d.list.Content = append(d.list.Content, n)
	return nil
}

// Remove deletes rule id; it reports whether the file had it.
func (d *RuleFileEdit) Remove(id string) bool {
	i, _ := d.find(id)
	if i < 0 {
		return false
	}
	d.list.Content = append(d.list.Content[:i], d.list.Content[i+1:]...)
	return true
}

// Bytes returns the file as it will be written.
func (d *RuleFileEdit) Bytes() ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(d.doc); err != nil {
		return nil, fmt.Errorf("write %s: %w", d.path, err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("write %s: %w", d.path, err)
	}
	return buf.Bytes(), nil
}

// Write replaces the file with data atomically, creating its directory.
func (d *RuleFileEdit) Write(data []byte) error {
	if err := writeAtomic(d.path, data); err != nil {
		return fmt.Errorf("write rules: %w", err)
	}
	return nil
}

func writeAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".redactions-*.yml")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func scalarNode(v string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v}
}
