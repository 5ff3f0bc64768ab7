package report

import (
	"bytes"
	"html/template"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// markdown renders the Markdown of prompts and messages for the HTML
// report. Raw HTML is omitted (goldmark's default), dangerous link targets
// are dropped, and images become their alt text, so that the report never
// loads anything.
type markdown struct{ md goldmark.Markdown }

func newMarkdown() markdown {
	return markdown{goldmark.New(
		goldmark.WithExtensions(extension.GFM),
		goldmark.WithParserOptions(parser.WithASTTransformers(util.Prioritized(noImages{}, 100))),
	)}
}

// render returns s as HTML; on a rendering error, the text escaped.
func (m markdown) render(s string) template.HTML {
	var b bytes.Buffer
	if err := m.md.Convert([]byte(s), &b); err != nil {
		return template.HTML("<pre>" + template.HTMLEscapeString(s) + "</pre>")
	}
	return template.HTML(b.String())
}

// noImages replaces every image by its alt text in brackets.
type noImages struct{}

func (noImages) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	src := reader.Source()
	var images []*ast.Image
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if img, ok := n.(*ast.Image); ok && entering {
			images = append(images, img)
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	for _, img := range images {
		var alt bytes.Buffer
		_ = ast.Walk(img, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
			if t, ok := n.(*ast.Text); ok && entering {
				alt.Write(t.Segment.Value(src))
			}
			return ast.WalkContinue, nil
		})
		img.Parent().ReplaceChild(img.Parent(), img, ast.NewString([]byte("[image: "+alt.String()+"]")))
	}
}
