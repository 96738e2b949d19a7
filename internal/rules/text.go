package rules

import (
	"fmt"
	"io"
	"strings"
)

// WriteText writes a readable summary of a result, for `nisnet assess
// --format text`.
func (r Result) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Assessment at %s (engine %s)\n", fmtTime(r.AssessedAt), r.EngineVersion)
	fmt.Fprintf(&b, "Verdict: %s\n", r.Summary)
	for _, g := range r.Regimes {
		fmt.Fprintf(&b, "\n== %s: %s\n", g.Title, strings.ReplaceAll(g.Status, "_", " "))
		fmt.Fprintf(&b, "   %s\n", g.Summary)
		if g.Class != "" {
			fmt.Fprintf(&b, "   class: %s\n", g.Class)
		}
		if len(g.Jurisdiction) > 0 {
			fmt.Fprintf(&b, "   jurisdiction: %s\n", strings.Join(g.Jurisdiction, ", "))
		}
		for _, f := range g.Scope {
			fmt.Fprintf(&b, "   %s %s\n", mark(f.Outcome), f)
		}
		for _, f := range g.Significance {
			fmt.Fprintf(&b, "   %s %s\n", mark(f.Outcome), f)
		}
	}
	if len(r.Obligations) > 0 {
		fmt.Fprintf(&b, "\n== Obligations\n")
		for _, o := range r.Obligations {
			due := o.DueRule
			if o.DueAt != nil {
				due = fmtTime(*o.DueAt) + " (" + o.DueRule + ")"
			}
			fmt.Fprintf(&b, " - [%s] %s — %s, %s, to %s\n     due: %s\n     basis: %s\n", o.Status, o.Title, o.Party, o.Duty, o.Recipient, due, o.LegalBasis)
			if o.SubmittedAt != nil {
				on := "late"
				if o.OnTime == nil || *o.OnTime {
					on = "on time"
				}
				fmt.Fprintf(&b, "     submitted: %s (%s)\n", fmtTime(*o.SubmittedAt), on)
			}
			if o.Relief != nil {
				fmt.Fprintf(&b, "     relief: %s\n", o.Relief.Explanation)
			}
			for _, n := range o.Notes {
				fmt.Fprintf(&b, "     note: %s\n", n)
			}
		}
	}
	if len(r.Routes) > 0 {
		fmt.Fprintf(&b, "\n== Routing\n")
		for _, rt := range r.Routes {
			ms := ""
			if len(rt.MemberStates) > 0 {
				ms = " (" + strings.Join(rt.MemberStates, ", ") + ")"
			}
			fmt.Fprintf(&b, " - %s %s%s — %s [%s]\n", rt.Level, rt.Recipient, ms, rt.Reason, rt.Basis)
		}
	}
	for _, w := range r.Warnings {
		fmt.Fprintf(&b, "\nwarning: %s\n", w)
	}
	var nondef []string
	for _, rd := range r.Readings {
		if !rd.Default {
			nondef = append(nondef, rd.Option+"="+rd.Value)
		}
	}
	if len(nondef) > 0 {
		fmt.Fprintf(&b, "\nnon-default readings: %s\n", strings.Join(nondef, ", "))
	} else {
		fmt.Fprintf(&b, "\nall ambiguity options at their conservative defaults\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func mark(o Outcome) string {
	switch o {
	case Met:
		return "[x]"
	case NotMet:
		return "[ ]"
	}
	return "[?]"
}
