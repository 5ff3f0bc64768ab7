package report

import (
	"context"
	"maps"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aitrail/aitrail/gitlog"
	"github.com/aitrail/aitrail/store"
)

func TestParseEditLines(t *testing.T) {
	tests := []struct {
		name  string
		diff  string
		count map[string]int
		// context of each added line: above and below, nearest first,
		// "|" between the sides
		context []string
	}{
		{
			name: "hunks with context",
			diff: "--- a/x.ts\n+++ b/x.ts\n@@ -3,3 +3,4 @@\n export function main() {\n   return x;\n }\n+console.log('hi');\n" +
				"@@ -10,2 +11,3 @@\n a();\n+b();\n-old();\n c();\n",
			count:   map[string]int{"console.log('hi');": 1, "b();": 1},
			context: []string{"} return x; export function main() {|", "a();|c();"},
		},
		{
			name:    "a created file reaches both ends",
			diff:    "--- /dev/null\n+++ b/new.go\n@@ -0,0 +1,3 @@\n+package x\n+\n+func f() {}\n",
			count:   map[string]int{"package x": 1, "func f() {}": 1},
			context: []string{"\x00start|func f() {} \x00end", "package x \x00start|\x00end"},
		},
		{
			name:    "an added line that looks like a header",
			diff:    "--- a/n.md\n+++ b/n.md\n@@ -1,1 +1,2 @@\n title\n+++ counted\n",
			count:   map[string]int{"++ counted": 1},
			context: []string{"title|"},
		},
		{
			name:    "no hunk header: text only",
			diff:    "+one\n+two\n",
			count:   map[string]int{"one": 1, "two": 1},
			context: []string{"|two", "one|"},
		},
		{
			name:    "a blank context line without its space",
			diff:    "--- a/p.py\n+++ b/p.py\n@@ -1,3 +1,4 @@\n def f():\n\n+    return 1\n x = 2\n",
			count:   map[string]int{"return 1": 1},
			context: []string{"def f():|x = 2"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			el := parseEditLines(tt.diff)
			if !maps.Equal(el.count, tt.count) {
				t.Errorf("count %v, want %v", el.count, tt.count)
			}
			var got []string
			for _, o := range el.occs {
				up, _ := o.context(-1)
				down, _ := o.context(1)
				got = append(got, strings.Join(up, " ")+"|"+strings.Join(down, " "))
			}
			if !slices.Equal(got, tt.context) {
				t.Errorf("context %q, want %q", got, tt.context)
			}
		})
	}
}

func TestCompareSide(t *testing.T) {
	tests := []struct {
		name          string
		mine, theirs  []string
		added         []bool
		verdict, want int
	}{
		{"nothing shown", []string{"a"}, nil, nil, sideUnknown, 0},
		{"agrees up to a line of substance", []string{"}", "return x;", "z"}, []string{"}", "return x;", "q"}, []bool{false, false, false}, sideStrong, 2},
		{"only a brace, and the edit shows more", []string{"}", "other();"}, []string{"}", "return x;"}, []bool{false, false}, sideMismatch, 0},
		{"only a brace, all the edit shows", []string{"}", "other();"}, []string{"}"}, []bool{false}, sideWeak, 1},
		{"the file's start where the edit shows a line", []string{markStart}, []string{"}", "return x;"}, []bool{false, false}, sideMismatch, 0},
		{"the file's edge where the edit shows it", []string{markEnd}, []string{markEnd}, []bool{false}, sideStrong, 1},
		{"an added neighbour not committed", []string{"return x;"}, []string{"b();", "return x;"}, []bool{true, false}, sideStrong, 1},
		{"only added neighbours, none committed", []string{markEnd}, []string{"b();"}, []bool{true}, sideUnknown, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, k := compareSide(tt.mine, tt.theirs, tt.added)
			if v != tt.verdict || k != tt.want {
				t.Errorf("got verdict %d with %d agreeing, want %d with %d", v, k, tt.verdict, tt.want)
			}
		})
	}
}

// save records what correlation found for commit h in repository "r", as
// the hooks do; replaced are the commits it replaces.
func (f *corrFixture) save(h gitlog.Hash, a *Attribution, replaced ...gitlog.Hash) {
	f.t.Helper()
	rec := store.CommitRecord{Repo: "r", SHA: h.String(), Status: store.CommitAnnotated, Added: a.Added, AI: a.AI, Credits: a.Credits}
	for _, r := range replaced {
		rec.Replaced = append(rec.Replaced, r.String())
	}
	if err := f.db.SaveCommit(context.Background(), rec); err != nil {
		f.t.Fatal(err)
	}
}

// creditedLines lists the numbers of the lines of path credited to an agent.
func creditedLines(a *Attribution, path string) []int {
	var out []int
	for _, f := range a.Files {
		if f.Path == path {
			for no := range f.Lines {
				out = append(out, no)
			}
		}
	}
	sort.Ints(out)
	return out
}

const (
	indexV0 = "import x from './x';\n\nexport function main() {\n  return x;\n}\n"
	hello   = "console.log('hello world');\n"
	// appendHello is the agent's edit: the line at the end of index.ts.
	appendHello = "--- a/index.ts\n+++ b/index.ts\n@@ -2,4 +2,5 @@\n \n export function main() {\n   return x;\n }\n+console.log('hello world');\n"
)

// TestCorrelatePlace: a commit adds two identical lines, a person's at the
// top of the file and the agent's at the end, where its edit put it: the
// agent's is credited, not the first one met.
func TestCorrelatePlace(t *testing.T) {
	f := newCorrFixture(t)
	f.commit("08:00:00", map[string]string{"index.ts": indexV0})
	f.editDiff("s1", "p1", "09:01:00", "index.ts", appendHello)
	c := f.commit("10:00:00", map[string]string{"index.ts": hello + indexV0 + hello})
	a := f.correlate(c, Options{Repo: "r"})
	if got := creditedLines(a, "index.ts"); !slices.Equal(got, []int{7}) {
		t.Errorf("AI lines %v, want [7]: the agent's line is the last one", got)
	}
	if a.AI != 1 || a.Added != 2 {
		t.Errorf("%d AI lines of %d, want 1 of 2", a.AI, a.Added)
	}
}

// TestCorrelateAbsentLines: the agent appends a line; a person puts the
// same line at the top and commits only that (git add -p), then commits
// the agent's. The first commit is the person's: no AI line, and the
// agent's prompt, whose only line is not in it, is not its author. The
// second gets the line.
func TestCorrelateAbsentLines(t *testing.T) {
	f := newCorrFixture(t)
	f.commit("08:00:00", map[string]string{"index.ts": indexV0})
	f.editDiff("s1", "p1", "09:01:00", "index.ts", appendHello)
	c1 := f.commit("10:00:00", map[string]string{"index.ts": hello + indexV0})
	a1 := f.correlate(c1, Options{Repo: "r"})
	if a1.AI != 0 || len(a1.Prompts) != 0 || a1.Involved() {
		t.Errorf("the person's commit: %d AI lines, prompts %v; want none", a1.AI, promptKeys(a1))
	}
	f.save(c1, a1)
	c2 := f.commit("11:00:00", map[string]string{"index.ts": hello + indexV0 + hello})
	a2 := f.correlate(c2, Options{Repo: "r"})
	if got := creditedLines(a2, "index.ts"); !slices.Equal(got, []int{7}) || !slices.Equal(promptKeys(a2), []string{"p1"}) {
		t.Errorf("the agent's commit: AI lines %v, prompts %v; want [7] and [p1]", got, promptKeys(a2))
	}
}

// TestCorrelateCreditsUsedUp: an edit that added a line once (its diff shows
// no context: only its text can be matched) has it credited once along a
// line of history. A later commit that adds the same text again gets
// nothing, nor does one annotated in the same run; a commit of another
// branch, or one that replaces the first (amend), may take it.
func TestCorrelateCreditsUsedUp(t *testing.T) {
	f := newCorrFixture(t)
	base := f.commit("08:00:00", map[string]string{"README.md": "demo\n"})
	f.edit("s1", "p1", "09:00:00", "a.go", "total := compute()")
	c1 := f.commit("10:00:00", map[string]string{"a.go": "total := compute()\n"})
	a1 := f.correlate(c1, Options{Repo: "r", Lookback: 24 * time.Hour})
	if a1.AI != 1 || len(a1.Credits) != 1 || a1.Credits[0].N != 1 {
		t.Fatalf("first commit: %d AI lines, credits %+v; want 1 and one credit", a1.AI, a1.Credits)
	}
	// In the same run, before it is saved.
	c2 := f.commit("11:00:00", map[string]string{"a.go": "total := compute()\ntotal := compute()\n"})
	taken := []store.Credit{a1.Credits[0]}
	taken[0].SHA = c1.String()
	if a := f.correlate(c2, Options{Repo: "r", Lookback: 24 * time.Hour, Credited: taken}); a.AI != 0 {
		t.Errorf("a child in the same run: %d AI lines, want 0 (used up)", a.AI)
	}
	f.save(c1, a1)
	if a := f.correlate(c2, Options{Repo: "r", Lookback: 24 * time.Hour}); a.AI != 0 {
		t.Errorf("a child: %d AI lines, want 0 (used up)", a.AI)
	}
	if a := f.correlate(c1, Options{Repo: "r", Lookback: 24 * time.Hour}); a.AI != 1 {
		t.Errorf("the first commit again: %d AI lines, want 1 (its own credit)", a.AI)
	}
	// Another branch from base.
	f.git("checkout", "-q", "-b", "other", base.String())
	s := f.commit("10:30:00", map[string]string{"a.go": "total := compute()\n"})
	if a := f.correlate(s, Options{Repo: "r", Lookback: 24 * time.Hour}); a.AI != 1 {
		t.Errorf("another branch: %d AI lines, want 1", a.AI)
	}
	// An amend of c1 carries its credit, and then holds it.
	f.git("checkout", "-q", "main")
	f.git("reset", "-q", "--hard", c1.String())
	amended := f.commitStaged("10:10:00", "amended", "--amend")
	a := f.correlate(amended, Options{Repo: "r", Lookback: 24 * time.Hour, Origins: []gitlog.Hash{c1}})
	if a.AI != 1 {
		t.Errorf("the amend: %d AI lines, want 1 (carried)", a.AI)
	}
	f.save(amended, a, c1)
	child := f.commit("11:30:00", map[string]string{"a.go": "total := compute()\ntotal := compute()\n"})
	if a := f.correlate(child, Options{Repo: "r", Lookback: 24 * time.Hour}); a.AI != 0 {
		t.Errorf("a child of the amend: %d AI lines, want 0", a.AI)
	}
}

// TestCorrelateLaterEdit: an edit made after the commit is not credited to
// it, even when its prompt is the commit's by the agent's own record (a
// commit the agent made, or one a rewrite replaced).
func TestCorrelateLaterEdit(t *testing.T) {
	f := newCorrFixture(t)
	f.commit("08:00:00", map[string]string{"README.md": "demo\n"})
	f.edit("s1", "p1", "09:00:00", "a.go", "func a() {}")
	f.edit("s1", "p1", "12:00:00", "a.go", "func later() {}")
	c := f.commit("10:00:00", map[string]string{"a.go": "func a() {}\nfunc later() {}\n"})
	a := f.correlate(c, Options{Repo: "r", Extra: []store.PromptRef{{Agent: "codex", SessionID: "s1", Key: "p1"}}})
	if got := creditedLines(a, "a.go"); !slices.Equal(got, []int{1}) {
		t.Errorf("AI lines %v, want [1]: the edit of 12:00 came after the commit", got)
	}
}

// FuzzParseEditLines: any stored diff parses without a panic into added
// lines whose counts add up, each with a bounded context on both sides.
func FuzzParseEditLines(f *testing.F) {
	f.Add(appendHello)
	f.Add("--- /dev/null\n+++ b/new.go\n@@ -0,0 +1,3 @@\n+package x\n+\n+func f() {}\n")
	f.Add("@@ -1 +1 @@\n-a\n+b\n@@ -x,y +z @@\n+++ c\n\\ No newline at end of file\n")
	f.Add("+one\n+two\n")
	f.Fuzz(func(t *testing.T, diff string) {
		el := parseEditLines(diff)
		n := 0
		for text, c := range el.count {
			if text == "" || c <= 0 {
				t.Fatalf("count %q: %d", text, c)
			}
			n += c
		}
		if n != len(el.occs) {
			t.Fatalf("%d added lines counted, %d found", n, len(el.occs))
		}
		for _, o := range el.occs {
			if o.text() == "" {
				t.Fatal("a blank added line")
			}
			for _, dir := range []int{-1, 1} {
				if lines, added := o.context(dir); len(lines) > maxContext+1 || len(lines) != len(added) {
					t.Fatalf("context %q %v", lines, added)
				}
			}
		}
	})
}
