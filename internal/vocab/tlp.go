package vocab

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// NameTLP is the name of the TLP vocabulary.
const NameTLP = "tlp"

// TLPLabel is a Traffic Light Protocol 2.0 label in its canonical spelling:
// "TLP:" and the colour in capitals, no spaces.
type TLPLabel string

// The TLP 2.0 labels, from least to most restrictive.
const (
	TLPClear       TLPLabel = "TLP:CLEAR"
	TLPGreen       TLPLabel = "TLP:GREEN"
	TLPAmber       TLPLabel = "TLP:AMBER"
	TLPAmberStrict TLPLabel = "TLP:AMBER+STRICT"
	TLPRed         TLPLabel = "TLP:RED"
)

// TLP2ExtensionDefinitionID is the STIX 2.1 extension definition (OASIS CTI
// TC) that the TLP 2.0 marking definitions use.
const TLP2ExtensionDefinitionID = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"

// STIX 2.1 marking-definition ids of the TLP 2.0 labels, as published by the
// OASIS CTI TC (oasis-open/cti-stix-common-objects). Emit these.
const (
	TLP2ClearMarkingID       = "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"
	TLP2GreenMarkingID       = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
	TLP2AmberMarkingID       = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"
	TLP2AmberStrictMarkingID = "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"
	TLP2RedMarkingID         = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"
)

// STIX 2.1 marking-definition ids of the TLP 1.0 labels (STIX 2.1 §7.2.1.4).
// Accept these on input; TLP:WHITE corresponds to TLP:CLEAR.
const (
	TLP1WhiteMarkingID = "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"
	TLP1GreenMarkingID = "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"
	TLP1AmberMarkingID = "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82"
	TLP1RedMarkingID   = "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed"
)

// ErrInvalidTLP is wrapped by every error ParseTLP returns.
var ErrInvalidTLP = errors.New("vocab: invalid TLP label")

type tlpInfo struct {
	label       TLPLabel
	markingID   string // TLP 2.0
	tlp1ID      string // TLP 1.0 equivalent, if any
	colour      string
	description string
}

// tlpLabels lists the labels in rank order (index = Rank).
var tlpLabels = []tlpInfo{
	{TLPClear, TLP2ClearMarkingID, TLP1WhiteMarkingID, "#FFFFFF",
		"Recipients can spread this to the world, there is no limit on disclosure."},
	{TLPGreen, TLP2GreenMarkingID, TLP1GreenMarkingID, "#33FF00",
		"Limited disclosure, recipients can spread this within their community."},
	{TLPAmber, TLP2AmberMarkingID, TLP1AmberMarkingID, "#FFC000",
		"Limited disclosure, recipients can only spread this on a need-to-know basis within their organization and its clients."},
	{TLPAmberStrict, TLP2AmberStrictMarkingID, "", "#FFC000",
		"Limited disclosure, recipients can only spread this on a need-to-know basis within their own organization, not to its clients."},
	{TLPRed, TLP2RedMarkingID, TLP1RedMarkingID, "#FF2B2B",
		"For the eyes and ears of individual recipients only, no further disclosure."},
}

var (
	tlpRank     = map[TLPLabel]int{}
	tlpByMarkID = map[string]TLPLabel{}
)

func init() {
	for i, t := range tlpLabels {
		tlpRank[t.label] = i
		tlpByMarkID[t.markingID] = t.label
		if t.tlp1ID != "" {
			tlpByMarkID[t.tlp1ID] = t.label
		}
	}
}

// TLP returns the TLP 2.0 labels as a vocabulary, least restrictive first.
// Code and Label are the canonical label; Description is its meaning per
// FIRST TLP 2.0; Attributes hold "stix_marking_id" (TLP 2.0), "colour" (the
// FIRST RGB colour as #RRGGBB), "rank" (see TLPLabel.Rank) and, where TLP 1.0
// has an equivalent, "stix_tlp1_marking_id".
func TLP() Vocabulary {
	v := Vocabulary{
		Name:  NameTLP,
		Title: "Traffic Light Protocol",
		Source: "FIRST Traffic Light Protocol (TLP) version 2.0 (https://www.first.org/tlp/); " +
			"STIX 2.1 marking definitions of the OASIS CTI TC TLP 2.0 extension " + TLP2ExtensionDefinitionID,
		Version: "2.0",
	}
	for i, t := range tlpLabels {
		attrs := map[string]string{
			"stix_marking_id": t.markingID,
			"colour":          t.colour,
			"rank":            strconv.Itoa(i),
		}
		if t.tlp1ID != "" {
			attrs["stix_tlp1_marking_id"] = t.tlp1ID
		}
		v.Entries = append(v.Entries, Entry{
			Code:        string(t.label),
			Label:       string(t.label),
			Description: t.description,
			Attributes:  attrs,
		})
	}
	return v
}

// ParseTLP parses a TLP label, ignoring case, surrounding white space and an
// optional "TLP:" prefix: "TLP:AMBER+STRICT", "amber+strict" and "Tlp:Red"
// are accepted. The TLP 1.0 label TLP:WHITE is accepted as TLP:CLEAR. Any
// other spelling, such as "TLP:AMBER STRICT" or "amber-strict", is an error
// wrapping ErrInvalidTLP.
func ParseTLP(s string) (TLPLabel, error) {
	body := strings.ToUpper(strings.TrimSpace(s))
	if body == "" {
		return "", fmt.Errorf("%w: empty; want one of %s", ErrInvalidTLP, tlpChoices())
	}
	body = strings.TrimPrefix(body, "TLP:")
	if body == "WHITE" {
		return TLPClear, nil
	}
	if l := TLPLabel("TLP:" + body); l.Valid() {
		return l, nil
	}
	if strings.NewReplacer(" ", "", "-", "", "_", "").Replace(body) == "AMBERSTRICT" {
		return "", fmt.Errorf("%w: %q: TLP 2.0 spells it %s", ErrInvalidTLP, s, TLPAmberStrict)
	}
	return "", fmt.Errorf("%w: %q; want one of %s", ErrInvalidTLP, s, tlpChoices())
}

func tlpChoices() string {
	names := make([]string, len(tlpLabels))
	for i, t := range tlpLabels {
		names[i] = string(t.label)
	}
	return strings.Join(names, ", ") + " (or TLP:WHITE for TLP:CLEAR)"
}

// Valid reports whether l is one of the five canonical TLP 2.0 labels.
func (l TLPLabel) Valid() bool {
	_, ok := tlpRank[l]
	return ok
}

// MarkingID returns the STIX 2.1 marking-definition id of the TLP 2.0 label,
// or "" if l is not a valid label.
func (l TLPLabel) MarkingID() string {
	if r, ok := tlpRank[l]; ok {
		return tlpLabels[r].markingID
	}
	return ""
}

// Rank orders labels by restrictiveness: CLEAR 0 < GREEN 1 < AMBER 2 <
// AMBER+STRICT 3 < RED 4. It returns -1 if l is not a valid label.
func (l TLPLabel) Rank() int {
	if r, ok := tlpRank[l]; ok {
		return r
	}
	return -1
}

// TLPFromMarkingID returns the TLP 2.0 label of a STIX 2.1 marking-definition
// id. It accepts the TLP 2.0 ids and the four TLP 1.0 ids of STIX 2.1
// §7.2.1.4 (white as TLP:CLEAR, green, amber, red).
func TLPFromMarkingID(id string) (TLPLabel, bool) {
	l, ok := tlpByMarkID[id]
	return l, ok
}
