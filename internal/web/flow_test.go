package web_test

import (
	"strings"
	"testing"

	"github.com/nisnet-eu/nisnet/internal/web/browsertest"
)

// TestMessageRoundTrip is the conversation across the two sides, in two
// browsers: the analyst writes to the entity from the incident page, the
// operator reads it in the incident's thread and answers, and the analyst
// reads the answer in the timeline.
func TestMessageRoundTrip(t *testing.T) {
	node := browsertest.StartNode(t)
	b := browsertest.New(t)
	incident := "/incidents/" + node.Demo.IncidentID

	analyst := b.NewTab(t)
	signIn(t, analyst, node, "analyst@csirt.example")
	analyst.Navigate(t, node.URL+incident)
	question := "Please confirm whether the zone signing keys were exposed."
	analyst.Fill(t, "#form-messages textarea", question)
	analyst.ClickNavigate(t, "#form-messages button[type=submit]")
	if got := analyst.Text(t, "main"); !strings.Contains(got, question) {
		t.Fatalf("the analyst's timeline lacks the message just sent")
	}

	// Another browser: tabs of one share their cookies.
	b2 := browsertest.New(t)
	operator := b2.NewTab(t)
	signIn(t, operator, node, "soc@dns.example")
	operator.Navigate(t, node.URL+incident)
	thread := operator.Text(t, "main")
	if !strings.Contains(thread, question) {
		t.Fatalf("the operator's thread does not show the analyst's message: %.500s", thread)
	}
	browsertest.Screenshot(t, operator, "operator-reads-message")
	answer := "No: the keys live in an HSM that was not reached."
	operator.Fill(t, `form[action$="/messages"] textarea`, answer)
	operator.ClickNavigate(t, `form[action$="/messages"] button[type=submit]`)
	if got := operator.Text(t, "main"); !strings.Contains(got, answer) {
		t.Errorf("the operator's thread lacks the answer just sent")
	}

	analyst.Navigate(t, node.URL+incident)
	if got := analyst.Text(t, "main"); !strings.Contains(got, answer) {
		t.Errorf("the analyst does not see the operator's answer")
	}
	b.AssertNoConsoleErrors(t, analyst)
	b2.AssertNoConsoleErrors(t, operator)
}
