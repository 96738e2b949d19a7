package app

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/nisnet-eu/nisnet/internal/calendar"
	"github.com/nisnet-eu/nisnet/internal/rules"
)

// runAssess is `nisnet assess [--format json|text] [--holidays FILE] [FILE|-]`:
// facts JSON in, result on stdout. The same code path as POST
// /api/v1/assessments: rules.DecodeFacts then Engine.Assess.
func runAssess(_ context.Context, args []string, env Env) int {
	fs := flag.NewFlagSet("assess", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	format := fs.String("format", "json", "output format: json or text")
	holidays := fs.String("holidays", "", "a holiday calendar update file (JSON, see internal/calendar) merged over the built-in one")
	fs.Usage = func() {
		fmt.Fprintf(env.Stderr, "Usage: nisnet assess [flags] [FILE]\n\nReads incident facts as JSON from FILE, or from standard input when FILE is '-' or absent,\nand prints the assessment. Exit status 2 for invalid facts. See docs/assess.md.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return ExitOK
		}
		return ExitUsage
	}
	if *format != "json" && *format != "text" {
		fmt.Fprintf(env.Stderr, "nisnet assess: --format must be json or text, not %q\n", *format)
		return ExitUsage
	}
	if fs.NArg() > 1 {
		fmt.Fprintf(env.Stderr, "nisnet assess: one facts file at most, got %d\n", fs.NArg())
		return ExitUsage
	}
	cal, err := loadCalendar(*holidays)
	if err != nil {
		fmt.Fprintf(env.Stderr, "nisnet assess: %v\n", err)
		return ExitUsage
	}
	var in io.Reader = env.Stdin
	if name := fs.Arg(0); name != "" && name != "-" {
		f, err := os.Open(name)
		if err != nil {
			fmt.Fprintf(env.Stderr, "nisnet assess: %v\n", err)
			return ExitUsage
		}
		defer f.Close()
		in = f
	}
	facts, err := rules.DecodeFacts(in)
	if err == nil {
		var res rules.Result
		res, err = rules.New(cal).Assess(facts)
		if err == nil {
			return writeResult(env.Stdout, env.Stderr, res, *format)
		}
	}
	var fe *rules.FieldErrors
	if errors.As(err, &fe) {
		fmt.Fprintln(env.Stderr, "nisnet assess: invalid facts:")
		for _, e := range fe.List {
			field := e.Field
			if field == "" {
				field = "(document)"
			}
			fmt.Fprintf(env.Stderr, "  %s: %s\n", field, e.Message)
		}
		return ExitUsage
	}
	fmt.Fprintf(env.Stderr, "nisnet assess: %v\n", err)
	return ExitError
}

func writeResult(stdout, stderr io.Writer, res rules.Result, format string) int {
	var err error
	if format == "text" {
		err = res.WriteText(stdout)
	} else {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		err = enc.Encode(res)
	}
	if err != nil {
		fmt.Fprintf(stderr, "nisnet assess: writing result: %v\n", err)
		return ExitError
	}
	return ExitOK
}

// loadCalendar returns the built-in holiday calendar, updated from file if
// one is named.
func loadCalendar(file string) (*calendar.Calendar, error) {
	if file == "" {
		return calendar.Default(), nil
	}
	f, err := os.Open(file)
	if err != nil {
		return nil, fmt.Errorf("holiday calendar: %w", err)
	}
	defer f.Close()
	upd, err := calendar.Load(f)
	if err != nil {
		return nil, fmt.Errorf("holiday calendar %s: %w", file, err)
	}
	return calendar.Default().Merge(upd), nil
}
