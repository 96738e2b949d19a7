package stix

import (
	"encoding/json"

	"github.com/nisnet-eu/nisnet/internal/vocab"
)

// tlp2Created is the created timestamp of the five TLP 2.0 marking
// definitions of the OASIS CTI TC extension.
const tlp2Created = "2022-10-01T00:00:00.000Z"

// MarkingDefinition returns the official STIX 2.1 marking-definition object
// of a TLP 2.0 label (extension-definition--60a3c5c5-…), as a bundle or an
// envelope should carry it, or nil if l is not a valid label.
func MarkingDefinition(l vocab.TLPLabel) json.RawMessage {
	if !l.Valid() {
		return nil
	}
	value := map[vocab.TLPLabel]string{vocab.TLPClear: "clear", vocab.TLPGreen: "green", vocab.TLPAmber: "amber",
		vocab.TLPAmberStrict: "amber+strict", vocab.TLPRed: "red"}[l]
	b, err := json.Marshal(map[string]any{
		"type":         "marking-definition",
		"spec_version": SpecVersion,
		"id":           l.MarkingID(),
		"created":      tlp2Created,
		"name":         string(l),
		"extensions": map[string]any{vocab.TLP2ExtensionDefinitionID: map[string]string{
			"extension_type": "property-extension",
			"tlp_2_0":        value,
		}},
	})
	if err != nil {
		panic(err)
	}
	return b
}

// IsTLPMarking reports whether id is one of the TLP marking definitions,
// TLP 2.0 or TLP 1.0 (STIX 2.1 §7.2.1.4).
func IsTLPMarking(id string) bool {
	_, ok := vocab.TLPFromMarkingID(id)
	return ok
}

// TLPOf returns the TLP label of an object with the given
// object_marking_refs: the most restrictive of the TLP markings among them,
// TLP 1.0 ids read as their TLP 2.0 equivalent. ok is false when none of the
// refs is a TLP marking.
func TLPOf(markingRefs []string) (l vocab.TLPLabel, ok bool) {
	for _, ref := range markingRefs {
		if m, found := vocab.TLPFromMarkingID(ref); found && (!ok || m.Rank() > l.Rank()) {
			l, ok = m, true
		}
	}
	return l, ok
}
