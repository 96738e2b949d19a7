// Command nisnet runs a node of the EU network of cybersecurity authorities
// and its command-line tools. All the work happens in package app.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/nisnet-eu/nisnet/internal/app"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := app.Run(ctx, os.Args[1:], app.Env{
		Stdin:  os.Stdin,
		Stdout: os.Stdout,
		Stderr: os.Stderr,
		Getenv: os.Getenv,
	})
	stop()
	os.Exit(code)
}
