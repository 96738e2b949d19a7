// Package vocab holds the controlled vocabularies that nisnet serves as data
// to user interfaces and API clients (GET /api/v1/vocabularies/{name}), so
// that no client keeps its own copy of them:
//
//   - "rsit": the Reference Security Incident Taxonomy (RSIT), version 1003;
//   - "tlp": the Traffic Light Protocol 2.0 labels and their STIX 2.1
//     marking-definition ids;
//   - "nis-cg-impact-severity", "nis-cg-impact-outlook", "nis-cg-root-cause"
//     and "nis-cg-threat-severity": the scales of the NIS Cooperation Group
//     Cybersecurity Incident Taxonomy (CG Publication 04/2018);
//   - "incident-kinds": the NIS2 notions of incident, near miss and cyber
//     threat.
//
// Builtin returns them all; NewSet turns them into an immutable, validated
// registry that is safe for concurrent use.
//
// The package also provides the helpers other packages validate input with:
// ValidRSIT and NormalizeRSIT for RSIT class/type pairs, and ParseTLP,
// TLPLabel and TLPFromMarkingID for TLP labels and STIX markings.
//
// The RSIT values are parsed from data/rsit-machinev1.json, a byte-identical
// copy of the RSIT working group's machine-readable file kept in the shared
// conformance data (../shared/conformance/rsit/machinev1 next to the module
// root). Refresh it with "go generate ./internal/vocab/"; a test fails when the
// two drift apart.
package vocab
