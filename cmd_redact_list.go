package main

import (
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/pflag"

	"github.com/aitrail/aitrail/store"
)

func redactListCommand() command {
	return command{
		name: "list", usage: "[--all] [--json]",
		summary: "list manual redactions",
		long: `Lists the active manual redactions (with --all, the removed ones too): id,
what they match (a pattern as written; a literal only by its length), scope,
replacement, actor, reason, when they were made, and how many stored fields
and values each has redacted so far.`,
		new: func() options { return &redactListOptions{} },
	}
}

type redactListOptions struct {
	all  bool
	json bool
}

func (o *redactListOptions) flags(fs *pflag.FlagSet) {
	fs.BoolVar(&o.all, "all", false, "include removed (inactive) manual redactions")
	fs.BoolVar(&o.json, "json", false, "print JSON")
}

func (o *redactListOptions) args(args []string) error {
	return noArgs("list", args)
}

// manualView is a manual redaction as 'redact list --json' prints it.
type manualView struct {
	ID           int64     `json:"id"`
	RuleID       string    `json:"ruleId"`
	Active       bool      `json:"active"`
	Kind         string    `json:"kind"`
	Pattern      string    `json:"pattern,omitempty"`
	LiteralBytes int       `json:"literalBytes,omitempty"`
	ValueHash    string    `json:"valueHash,omitempty"`
	Scope        string    `json:"scope"`
	Replacement  string    `json:"replacement"`
	Actor        string    `json:"actor"`
	Reason       string    `json:"reason,omitempty"`
	Created      time.Time `json:"createdAt"`
	Updated      time.Time `json:"updatedAt"`
	Fields       int64     `json:"fieldsRedacted"`
	Values       int64     `json:"valuesRedacted"`
}

func (o *redactListOptions) run(e *env) error {
	db, err := e.openDB(false)
	if err != nil {
		return err
	}
	defer db.Close()
	ms, err := db.ManualRedactions(e.ctx, o.all)
	if err != nil {
		return err
	}
	counts, err := db.RedactionCounts(e.ctx, "manual:")
	if err != nil {
		return err
	}
	views := make([]manualView, 0, len(ms))
	for _, m := range ms {
		c := counts[m.RuleID()]
		views = append(views, manualView{
			ID: m.ID, RuleID: m.RuleID(), Active: m.Active, Kind: m.Kind, Pattern: m.Pattern,
			LiteralBytes: m.LiteralLen, ValueHash: m.LiteralHash, Scope: scopeText(m),
			Replacement: engineManual(m).Placeholder(), Actor: m.Actor, Reason: m.Reason,
			Created: m.Created, Updated: m.Updated, Fields: c.Fields, Values: c.Values,
		})
	}
	if o.json {
		return writeJSON(e.io.out, views)
	}
	if len(views) == 0 {
		fmt.Fprintln(e.io.out, "no manual redactions (add one with 'aitrail redact add')")
		return nil
	}
	tw := tabwriter.NewWriter(e.io.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATE\tMATCHES\tSCOPE\tREPLACEMENT\tFIELDS\tACTOR\tCREATED\tREASON")
	for _, v := range views {
		state, what := "active", v.Pattern
		if !v.Active {
			state = "removed"
		}
		if v.Kind == store.ManualLiteral {
			what = fmt.Sprintf("literal (%d bytes)", v.LiteralBytes)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\n", v.ID, state, what, v.Scope, v.Replacement,
			v.Fields, v.Actor, v.Created.Local().Format("2006-01-02 15:04"), v.Reason)
	}
	return tw.Flush()
}
