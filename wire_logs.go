package main

import (
	"context"
	"time"

	"github.com/aitrail/aitrail/gitlog"
	"github.com/aitrail/aitrail/ingest"
	"github.com/aitrail/aitrail/store"
)

// sourceList returns the log places the options or the config name
// instead of discovery (none: discover every agent's own).
func (e *env) sourceList() ([]ingest.AgentPath, error) {
	f, err := e.config()
	if err != nil {
		return nil, err
	}
	var srcs []ingest.AgentPath
	for _, s := range e.sources {
		src, err := ingest.ParseSource(s)
		if err != nil {
			return nil, usageError{err.Error()}
		}
		if _, err := ingest.Find(ingest.Agents(), src.Agent); err != nil {
			return nil, usagef("--source %s: %v", s, err)
		}
		srcs = append(srcs, src)
	}
	if len(srcs) == 0 {
		for _, s := range f.Sources {
			srcs = append(srcs, ingest.AgentPath{Agent: s.Agent, Path: e.cfgPaths().Expand(s.Path), From: s.Where})
		}
	}
	return srcs, nil
}

// logFiles discovers the log files the options and config name; without
// sources, also the logs agents keep in this repository and in the
// config's repos. With near, only those a hook looks at: the logs that can
// hold sessions of near's repositories (ingest.DiscoverNear), and those
// agents keep in them.
func (e *env) logFiles(near *ingest.Near) ([]ingest.File, error) {
	srcs, err := e.sourceList()
	if err != nil {
		return nil, err
	}
	agents := ingest.Agents()
	var files []ingest.File
	if near != nil {
		files, err = ingest.DiscoverNear(agents, srcs, e.getenv, e.home, *near)
	} else {
		files, err = ingest.Discover(agents, srcs, e.getenv, e.home)
	}
	if err != nil || len(srcs) > 0 {
		return files, err
	}
	if near != nil {
		return append(files, ingest.InRepos(agents, near.Roots)...), nil
	}
	f, err := e.config()
	if err != nil {
		return nil, err
	}
	var roots []string
	if root, err := gitlog.Root("."); err == nil {
		roots = append(roots, root)
	}
	for _, r := range f.Repos {
		roots = append(roots, e.cfgPaths().Expand(r))
	}
	return append(files, ingest.InRepos(agents, roots)...), nil
}

// nearRepo is what a hook of repo looks for (ingest.Near): the logs of the
// sessions of its worktrees, and the logs written in the day before the
// last one was.
func nearRepo(ctx context.Context, db *store.DB, repo *gitlog.Repo) (*ingest.Near, error) {
	roots := []string{repo.Root()}
	if others, err := repo.Worktrees(); err == nil {
		roots = append(roots, others...)
	}
	recent, err := db.RecentSources(ctx, ingest.Names(), 24*time.Hour)
	if err != nil {
		return nil, err
	}
	return &ingest.Near{Roots: roots, Recent: recent}, nil
}
