package vocab

import "fmt"

// Names of the NIS Cooperation Group taxonomy scales and of the incident
// kinds vocabulary.
const (
	NameNISCGImpactSeverity = "nis-cg-impact-severity"
	NameNISCGImpactOutlook  = "nis-cg-impact-outlook"
	NameNISCGRootCause      = "nis-cg-root-cause"
	NameNISCGThreatSeverity = "nis-cg-threat-severity"
	NameIncidentKinds       = "incident-kinds"
)

// Codes of the incident-kinds vocabulary.
const (
	KindIncident    = "incident"
	KindNearMiss    = "near_miss"
	KindCyberThreat = "cyber_threat"
)

const nisCGSource = "NIS Cooperation Group, Cybersecurity Incident Taxonomy (CG Publication 04/2018), " +
	"as encoded in the MISP taxonomy \"nis\" (version 2), predicate "

// nisEntry builds an entry of the MISP "nis" taxonomy; colour may be empty.
func nisEntry(predicate, code, label, colour, description string) Entry {
	attrs := map[string]string{"misp_tag": fmt.Sprintf("nis:%s=%q", predicate, code)}
	if colour != "" {
		attrs["colour"] = colour
	}
	return Entry{Code: code, Label: label, Description: description, Attributes: attrs}
}

func nisCGImpactSeverity() Vocabulary {
	const p = "impact-severity"
	return Vocabulary{
		Name:   NameNISCGImpactSeverity,
		Title:  "Severity of the impact (NIS CG incident taxonomy)",
		Source: nisCGSource + p,
		Entries: []Entry{
			nisEntry(p, "red", "Red", "#CC0033", "Very large impact on society and/or the economy."),
			nisEntry(p, "yellow", "Yellow", "#FFC000", "Large impact on society and/or the economy."),
			nisEntry(p, "green", "Green", "#339900", "Minor impact on society and/or the economy."),
			nisEntry(p, "white", "White", "#FFFFFF", "No impact on society and/or the economy."),
		},
	}
}

func nisCGImpactOutlook() Vocabulary {
	const p = "impact-outlook"
	return Vocabulary{
		Name:   NameNISCGImpactOutlook,
		Title:  "Outlook of the impact over the next 6 hours (NIS CG incident taxonomy)",
		Source: nisCGSource + p,
		Entries: []Entry{
			nisEntry(p, "improving", "Improving", "#339900", "The severity of the impact is expected to decrease over the next 6 hours."),
			nisEntry(p, "stable", "Stable", "#FFC000", "The severity of the impact is expected to stay the same over the next 6 hours."),
			nisEntry(p, "worsening", "Worsening", "#CC0033", "The severity of the impact is expected to increase over the next 6 hours."),
		},
	}
}

func nisCGRootCause() Vocabulary {
	const p = "nature-root-cause"
	return Vocabulary{
		Name:   NameNISCGRootCause,
		Title:  "Root cause category (NIS CG incident taxonomy)",
		Source: nisCGSource + p,
		Entries: []Entry{
			nisEntry(p, "system-failures", "System failures", "",
				"Triggered by a failure of a system itself, without an external cause, e.g. a hardware failure, a software bug or a flawed procedure."),
			nisEntry(p, "natural-phenomena", "Natural phenomena", "",
				"Triggered by a natural phenomenon, e.g. a storm, lightning, a solar flare, a flood, an earthquake or a wildfire."),
			nisEntry(p, "human-errors", "Human errors", "",
				"Triggered by a human error: the system worked correctly but was used wrongly, e.g. through a mistake or carelessness."),
			nisEntry(p, "malicious-actions", "Malicious actions", "",
				"Triggered by a malicious action, e.g. a cyber-attack, a physical attack, vandalism, sabotage, an insider attack or theft."),
			nisEntry(p, "third-party-failures", "Third-party failures", "",
				"Triggered by the disruption of a third-party service such as a utility, e.g. a power cut or an internet outage."),
		},
	}
}

func nisCGThreatSeverity() Vocabulary {
	const p = "nature-severity"
	return Vocabulary{
		Name:   NameNISCGThreatSeverity,
		Title:  "Severity of the threat (NIS CG incident taxonomy)",
		Source: nisCGSource + p,
		Entries: []Entry{
			nisEntry(p, "high", "High", "#CC0033", "From a technical perspective, the potential impact of the threat is high."),
			nisEntry(p, "medium", "Medium", "#FFC000", "From a technical perspective, the potential impact of the threat is medium."),
			nisEntry(p, "low", "Low", "#339900", "From a technical perspective, the potential impact of the threat is low."),
		},
	}
}

func incidentKinds() Vocabulary {
	return Vocabulary{
		Name:   NameIncidentKinds,
		Title:  "Kinds of reportable events (NIS2)",
		Source: "Directive (EU) 2022/2555 (NIS2), Article 6",
		Entries: []Entry{
			{
				Code:  KindIncident,
				Label: "Incident",
				Description: "An event compromising the availability, authenticity, integrity or confidentiality of " +
					"stored, transmitted or processed data or of the services offered by, or accessible via, " +
					"network and information systems (NIS2 Art. 6(6)). Significant incidents are notified " +
					"under Art. 23.",
				Attributes: map[string]string{"legal_basis": "Directive (EU) 2022/2555, Art. 6(6)"},
			},
			{
				Code:  KindNearMiss,
				Label: "Near miss",
				Description: "An event that could have compromised the availability, authenticity, integrity or " +
					"confidentiality of stored, transmitted or processed data or of the services offered by, " +
					"or accessible via, network and information systems, but that was successfully prevented " +
					"from materialising or that did not materialise (NIS2 Art. 6(5)). May be notified " +
					"voluntarily under Art. 30.",
				Attributes: map[string]string{"legal_basis": "Directive (EU) 2022/2555, Art. 6(5)"},
			},
			{
				Code:  KindCyberThreat,
				Label: "Cyber threat",
				Description: "Any potential circumstance, event or action that could damage, disrupt or otherwise " +
					"adversely impact network and information systems, the users of such systems and other " +
					"persons (NIS2 Art. 6(10), referring to Art. 2(8) of Regulation (EU) 2019/881). A " +
					"significant cyber threat (Art. 6(11)) is one that, based on its technical " +
					"characteristics, can be assumed to have the potential to have a severe impact on the " +
					"network and information systems of an entity or the users of its services by causing " +
					"considerable material or non-material damage.",
				Attributes: map[string]string{"legal_basis": "Directive (EU) 2022/2555, Art. 6(10) and Art. 6(11); Regulation (EU) 2019/881, Art. 2(8)"},
			},
		},
	}
}
