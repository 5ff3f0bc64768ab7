package gitlog

import "testing"

// TestRelated: a commit's ancestors and descendants lie on its line of
// history; a sibling branch's commits, an amended-away commit and a merge's
// other side before the merge do not, and a missing commit is unrelated.
func TestRelated(t *testing.T) {
	r := newTestRepo(t)
	root := r.commit("root")
	a := r.commit("a")
	r.git("checkout", "-q", "-b", "side")
	s1 := r.commit("s1")
	r.git("checkout", "-q", "main")
	b := r.commit("b")
	amended := r.commit("c")
	r.git("reset", "-q", "--soft", "HEAD~1")
	c := r.commitStaged("c again")
	out, err := runGit(r.dir, []string{"GIT_AUTHOR_DATE=@1700009000 +0000", "GIT_COMMITTER_DATE=@1700009000 +0000"},
		"merge", "-q", "--no-ff", "-m", "merge side", "side")
	if err != nil {
		t.Fatalf("merge: %v\n%s", err, out)
	}
	merge := r.rev("HEAD")
	var missing Hash
	missing[0] = 0xab
	repo := r.open()
	tests := []struct {
		name   string
		c      Hash
		others []Hash
		want   []Hash
	}{
		{"ancestors and itself", c, []Hash{root, a, b, c}, []Hash{root, a, b, c}},
		{"descendants", a, []Hash{b, c, merge, s1}, []Hash{b, c, merge, s1}},
		{"a sibling branch", b, []Hash{s1}, nil},
		{"an amended-away commit", c, []Hash{amended}, nil},
		{"the amended-away commit's own line", amended, []Hash{b, c}, []Hash{b}},
		{"a merged branch is an ancestor of the merge", merge, []Hash{s1, amended}, []Hash{s1}},
		{"a missing commit", c, []Hash{missing}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := repo.Related(tt.c, tt.others)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Errorf("got %d related, want %d: %v", len(got), len(tt.want), got)
			}
			for _, w := range tt.want {
				if !got[w] {
					t.Errorf("%s not related", w)
				}
			}
		})
	}
}
