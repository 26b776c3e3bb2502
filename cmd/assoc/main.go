package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"syscall"
)

// command is one subcommand. Each lives in its own file and registers
// itself from init, so adding a command is adding a file.
type command struct {
	name    string
	summary string // one line for "assoc help"
	run     func(ctx context.Context, env *env, args []string) error
}

// env is what a command gets from the process.
type env struct {
	stdout, stderr io.Writer
	getenv         func(string) (string, bool)
}

var commands = map[string]*command{}

// register adds a command; it is called from init functions.
func register(c *command) {
	if _, dup := commands[c.name]; dup {
		panic("BUG: command " + c.name + " registered twice")
	}
	commands[c.name] = c
}

// usageError is a bad command line: it exits with status 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func main() {
	os.Exit(run(os.Args[1:], &env{stdout: os.Stdout, stderr: os.Stderr, getenv: os.LookupEnv}))
}

// run runs the command line args and returns the exit status. SIGINT and
// SIGTERM cancel the command's context; a second signal kills the process.
func run(args []string, e *env) int {
	if len(args) == 0 {
		usage(e.stderr)
		return 2
	}
	name := args[0]
	switch name {
	case "help", "-h", "-help", "--help":
		if len(args) > 1 && commands[args[1]] != nil {
			return run([]string{args[1], "--help"}, e)
		}
		usage(e.stdout)
		return 0
	}
	c := commands[name]
	if c == nil {
		fmt.Fprintf(e.stderr, "assoc: unknown command %q\n\n", name)
		usage(e.stderr)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	context.AfterFunc(ctx, stop) // the next signal gets the default action
	err := c.run(ctx, e, args[1:])
	var ue usageError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(e.stderr, "assoc %s: %v\n", name, err)
		return 2
	default:
		fmt.Fprintf(e.stderr, "assoc %s: %v\n", name, err)
		return 1
	}
}

func usage(w io.Writer) {
	fmt.Fprintf(w, "Assoc is an associative analytics engine that speaks Qlik's QIX protocol.\n\n")
	fmt.Fprintf(w, "Usage:\n\n\tassoc <command> [flags]\n\nCommands:\n\n")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		fmt.Fprintf(w, "\t%-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintf(w, "\nRun \"assoc help <command>\" for a command's flags.\n")
}

// newFlagSet returns a flag set for a command whose errors and help go to
// e.stderr.
func newFlagSet(e *env, name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet("assoc "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: assoc %s %s\n\n", name, synopsis)
		fs.PrintDefaults()
	}
	return fs
}
