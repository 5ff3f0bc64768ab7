package report

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeFiles writes files (path → content) under dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for p, c := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

const changieYAML = `changesDir: .changes
unreleasedDir: unreleased
kinds:
  - label: Added
  - label: AI assistance
    key: ai
    auto: none
custom:
  - key: Issue
    type: int
    optional: true
`

func TestFragmentsGolden(t *testing.T) {
	rel := BuildRelease(ReleaseInput{Range: "v1.0.0..HEAD", Commits: releaseNotes(t)})
	tests := []struct {
		name  string
		files map[string]string
		opt   FragmentOptions
	}{
		{"changie", map[string]string{".changie.yaml": changieYAML}, FragmentOptions{Tool: ToolChangie}},
		{"changie-per-commit", map[string]string{".changie.yaml": changieYAML},
			FragmentOptions{Tool: ToolChangie, PerCommit: true, Custom: map[string]string{"Issue": "42"}}},
		{"towncrier", map[string]string{"pyproject.toml": "[tool.towncrier]\ndirectory = \"changes\"\nfilename = \"NEWS.md\"\n\n[[tool.towncrier.type]]\ndirectory = \"ai\"\nname = \"AI assistance\"\nshowcontent = true\n"},
			FragmentOptions{Tool: ToolTowncrier}},
		{"towncrier-defaults", map[string]string{"towncrier.toml": "[tool.towncrier]\npackage = \"app\"\npackage_dir = \"src\"\n"},
			FragmentOptions{Tool: ToolTowncrier, Kind: "feature"}},
		{"changesets", map[string]string{".changeset/config.json": "{}", "package.json": `{"name":"root","private":true,"workspaces":["packages/*"]}`,
			"packages/a/package.json": `{"name":"@x/a"}`, "packages/b/package.json": `{"name":"@x/b"}`},
			FragmentOptions{Tool: ToolChangesets, Packages: []string{"@x/a", "@x/b:minor"}}},
		{"changesets-empty", map[string]string{".changeset/config.json": "{}"}, FragmentOptions{Tool: ToolChangesets}},
		{"reno", map[string]string{"releasenotes/notes/.placeholder": ""}, FragmentOptions{Tool: ToolReno, PerCommit: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, tt.files)
			frags, err := Fragments(dir, rel, tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			for _, f := range frags {
				b.WriteString("==> " + f.Path + " <==\n" + f.Content)
			}
			golden(t, "fragment-"+tt.name+".golden", b.String())
			again, _ := Fragments(dir, rel, tt.opt)
			if len(again) != len(frags) || len(frags) > 0 && again[0] != frags[0] {
				t.Error("fragments are not deterministic: writing twice would make two files")
			}
		})
	}
}

func TestFragmentsRefuse(t *testing.T) {
	rel := BuildRelease(ReleaseInput{Range: "v1.0.0..HEAD", Commits: releaseNotes(t)})
	tests := []struct {
		name  string
		files map[string]string
		opt   FragmentOptions
		want  string
	}{
		{"changie without config", nil, FragmentOptions{Tool: ToolChangie}, "no .changie.yaml"},
		{"changie without an AI kind", map[string]string{".changie.yaml": "kinds:\n  - label: Added\n  - label: Fixed\n"},
			FragmentOptions{Tool: ToolChangie}, "no kind for AI assistance (its kinds: Added, Fixed)"},
		{"changie unknown kind", map[string]string{".changie.yaml": changieYAML}, FragmentOptions{Tool: ToolChangie, Kind: "Removed"}, `no kind "Removed"`},
		{"changie kind without body", map[string]string{".changie.yaml": "kinds:\n  - label: ai\n    skipBody: true\n"},
			FragmentOptions{Tool: ToolChangie}, "takes no body"},
		{"changie required custom", map[string]string{".changie.yaml": "kinds:\n  - label: ai\ncustom:\n  - key: Issue\n    type: int\n"},
			FragmentOptions{Tool: ToolChangie}, "--custom Issue=VALUE"},
		{"changie custom of the wrong type", map[string]string{".changie.yaml": changieYAML},
			FragmentOptions{Tool: ToolChangie, Custom: map[string]string{"Issue": "many"}}, "not an integer"},
		{"changie unknown custom", map[string]string{".changie.yaml": changieYAML},
			FragmentOptions{Tool: ToolChangie, Custom: map[string]string{"Author": "x"}}, `no custom choice "Author"`},
		{"changie projects", map[string]string{".changie.yaml": changieYAML + "projects:\n  - label: Web\n    key: web\n"},
			FragmentOptions{Tool: ToolChangie}, "pass --project"},
		{"towncrier without config", map[string]string{"pyproject.toml": "[project]\nname = \"x\"\n"}, FragmentOptions{Tool: ToolTowncrier}, "no [tool.towncrier]"},
		{"towncrier without an AI type", map[string]string{"towncrier.toml": "[tool.towncrier]\n"}, FragmentOptions{Tool: ToolTowncrier},
			"no fragment type for AI assistance (its types: feature, bugfix, doc, removal, misc)"},
		{"towncrier hidden content", map[string]string{"towncrier.toml": "[tool.towncrier]\n"}, FragmentOptions{Tool: ToolTowncrier, Kind: "misc"}, "showcontent = false"},
		{"towncrier sections", map[string]string{"towncrier.toml": "[tool.towncrier]\n[[tool.towncrier.section]]\nname = \"Web\"\npath = \"web\"\n"},
			FragmentOptions{Tool: ToolTowncrier, Kind: "feature"}, "pass --component"},
		{"changesets without config", nil, FragmentOptions{Tool: ToolChangesets}, "no .changeset/config.json"},
		{"changesets unknown package", map[string]string{".changeset/config.json": "{}", "package.json": `{"name":"app"}`},
			FragmentOptions{Tool: ToolChangesets, Packages: []string{"lib"}}, `no package "lib" in the workspace (its packages: app)`},
		{"changesets no package at all", map[string]string{".changeset/config.json": "{}"},
			FragmentOptions{Tool: ToolChangesets, Packages: []string{"lib"}}, "no package.json with a name"},
		{"reno without setup", nil, FragmentOptions{Tool: ToolReno}, "set reno up first"},
		{"reno without other", map[string]string{"releasenotes/config.yaml": "sections:\n  - [features, New Features]\n"},
			FragmentOptions{Tool: ToolReno}, `no section "other" (its sections: features)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, tt.files)
			_, err := Fragments(dir, rel, tt.opt)
			if !errors.Is(err, ErrFragmentConfig) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want a configuration error containing %q", err, tt.want)
			}
		})
	}
	// A bad bump is the user's mistake, not the configuration's.
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{".changeset/config.json": "{}", "package.json": `{"name":"app"}`})
	if _, err := Fragments(dir, rel, FragmentOptions{Tool: ToolChangesets, Packages: []string{"app:huge"}}); err == nil || !strings.Contains(err.Error(), `bump "huge"`) {
		t.Errorf("bad bump: %v", err)
	}
}

func TestFragmentsNothingToSay(t *testing.T) {
	rel := BuildRelease(ReleaseInput{Range: "a..b", Commits: []CommitNote{{SHA: "4444444444444444444444444444444444444444", Subject: "x"}}})
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{".changie.yaml": changieYAML})
	if frags, err := Fragments(dir, rel, FragmentOptions{Tool: ToolChangie}); err != nil || len(frags) != 0 {
		t.Errorf("a range without AI gave %v, %v", frags, err)
	}
}
