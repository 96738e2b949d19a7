// Package rules is the reportability engine: the law as pure functions.
//
// Given the facts of an incident and of the entity that suffered it, Assess
// answers the operator's first questions — must it be reported, under which
// regimes (NIS2, DORA, GDPR, CRA), to whom, and by when — and explains every
// conclusion with the article and the numbers that decided it.
//
// The package does no I/O and reads no clock: the caller passes "now" inside
// the facts, and the holiday calendar (for DORA's weekend relief) as data.
// The specification is docs/RULES.md of the shared documentation; every
// criterion carries the article it implements. Points where the law is
// ambiguous are named options (type Options) whose defaults are the
// conservative reading, and every result lists the readings it used.
//
// Evaluation order (RULES.md §0.4): scope per regime, precedence (DORA
// displaces NIS2 Art 23 for financial entities), significance, obligations
// with due instants, routing.
package rules
