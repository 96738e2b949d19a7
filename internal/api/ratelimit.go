package api

import (
	"net"
	"net/netip"
	"sync"
	"time"
)

// LoginLimits bound failed sign-ins (POST /api/v1/session). Past a limit,
// sign-in answers 429 with Retry-After until the oldest counted failure is
// Window old — whether or not the password would be right.
type LoginLimits struct {
	Window   time.Duration
	PerEmail int // failures for one email address within Window
	PerIP    int // failures from one client address (IPv6: its /64) within Window
}

// DefaultLoginLimits: 10 failures per email address and 50 per client
// address in 15 minutes. The address limit is higher because many people
// can share one address behind NAT.
var DefaultLoginLimits = LoginLimits{Window: 15 * time.Minute, PerEmail: 10, PerIP: 50}

// maxLimiterKeys bounds the limiter's memory. When it is full, failures for
// new email addresses are no longer counted; the address limit still
// applies.
const maxLimiterKeys = 100_000

// loginLimiter counts recent failures per key in memory; a restart forgets
// them. Each key keeps at most its limit of timestamps.
type loginLimiter struct {
	limits LoginLimits
	now    func() time.Time

	mu        sync.Mutex
	failures  map[string][]time.Time
	lastPrune time.Time
}

func newLoginLimiter(l LoginLimits) *loginLimiter {
	return &loginLimiter{limits: l, now: time.Now, failures: map[string][]time.Time{}}
}

// blocked returns how long the caller must wait before trying again (zero:
// not blocked) for the given email and client address keys.
func (l *loginLimiter) blocked(emailKey, ipKey string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	return max(l.wait(emailKey, l.limits.PerEmail, now), l.wait(ipKey, l.limits.PerIP, now))
}

func (l *loginLimiter) wait(key string, limit int, now time.Time) time.Duration {
	ts := l.recent(key, now)
	if len(ts) < limit {
		return 0
	}
	return ts[len(ts)-limit].Add(l.limits.Window).Sub(now)
}

// recent returns the failures of key within the window, oldest first.
func (l *loginLimiter) recent(key string, now time.Time) []time.Time {
	ts := l.failures[key]
	i := 0
	for i < len(ts) && now.Sub(ts[i]) >= l.limits.Window {
		i++
	}
	return ts[i:]
}

// fail counts a failed sign-in against both keys.
func (l *loginLimiter) fail(emailKey, ipKey string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.prune(now)
	l.add(emailKey, l.limits.PerEmail, now, true)
	l.add(ipKey, l.limits.PerIP, now, false)
}

// add records a failure of key; a new key is not added if capped and the
// limiter is full.
func (l *loginLimiter) add(key string, limit int, now time.Time, capped bool) {
	if _, ok := l.failures[key]; !ok && capped && len(l.failures) >= maxLimiterKeys {
		return
	}
	ts := append(l.recent(key, now), now)
	if len(ts) > limit {
		ts = ts[len(ts)-limit:]
	}
	l.failures[key] = ts
}

// reset forgets the failures of key (an email address after a successful
// sign-in; never a client address, which an attacker with one good account
// could otherwise keep resetting).
func (l *loginLimiter) reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.failures, key)
}

// prune drops keys without failures in the window, at most once a minute.
func (l *loginLimiter) prune(now time.Time) {
	if now.Sub(l.lastPrune) < time.Minute && len(l.failures) < maxLimiterKeys {
		return
	}
	l.lastPrune = now
	for k, ts := range l.failures {
		if len(ts) == 0 || now.Sub(ts[len(ts)-1]) >= l.limits.Window {
			delete(l.failures, k)
		}
	}
}

func emailLimitKey(normalisedEmail string) string { return "e:" + normalisedEmail }

// ipLimitKey is the limiter key of a client address: the IPv4 address, or
// the /64 of an IPv6 address (one end-user network).
func ipLimitKey(remoteAddr string) string {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return "i:" + host
	}
	a = a.Unmap()
	if a.Is6() {
		p, _ := a.Prefix(64)
		return "i:" + p.String()
	}
	return "i:" + a.String()
}
