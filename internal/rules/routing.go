package rules

import (
	"sort"
)

func sortStrings(s []string) { sort.Strings(s) }

// route applies the routing matrix of RULES.md §9.
func (a *assessment) route() {
	in := a.f.Incident
	add := func(r Route) { a.res.Routes = append(a.res.Routes, r) }
	nis2 := a.regime("nis2")
	gdpr := a.regime("gdpr")
	cra := a.regime("cra")
	home := a.nis2.jurisdiction
	if len(home) == 0 && a.home != "" {
		home = []string{a.home}
	}
	switch nis2.Status {
	case StatusReportable:
		add(Route{Recipient: "csirt_or_competent_authority", MemberStates: home, Level: "must", Basis: "NIS2 Art 23(1), 26",
			Reason: "significant incident: the entity notifies the CSIRT or competent authority of the Member State with jurisdiction; a competent authority forwards it to the CSIRT (Art 13(2))"})
		add(Route{Recipient: "spoc", MemberStates: home, Level: "must", Basis: "NIS2 Art 13(3); Art 23(1), third subparagraph",
			Reason: "the CSIRT or competent authority informs its single point of contact of notifications"})
	case StatusVoluntary:
		add(Route{Recipient: "csirt_or_competent_authority", MemberStates: home, Level: "may", Basis: "NIS2 Art 30",
			Reason: "voluntary notification, processed under the Art 23 procedure"})
	}
	reportable := nis2.Status == StatusReportable || a.major || cra.Status == StatusReportable
	if in.SuspectedMalicious && (reportable || nis2.Status == StatusVoluntary) {
		if a.opt.LawEnforcement == LEForward {
			add(Route{Recipient: "law_enforcement", MemberStates: home, Level: "must", Basis: "national law (option law_enforcement=forward); NIS2 Art 13(4)",
				Reason: "suspected unlawful or malicious acts: national law requires the authority to forward to law enforcement"})
		} else {
			add(Route{Recipient: "law_enforcement", MemberStates: home, Level: "guidance", Basis: "NIS2 Art 23(5)",
				Reason: "suspected criminal nature: the CSIRT or competent authority guides the entity on reporting to law enforcement; NIS2 does not itself require forwarding (ambiguity 12)"})
		}
	}
	if gdpr.InScope {
		lead := gdpr.Jurisdiction
		switch gdpr.Status {
		case StatusReportable:
			if gdpr.Class == "processor" {
				add(Route{Recipient: "controller", Level: "must", Basis: "GDPR Art 33(2)", Reason: "a processor notifies the controller of the breach"})
			} else {
				add(Route{Recipient: "data_protection_authority", MemberStates: lead, Level: "must", Basis: "GDPR Art 33(1), 55–56",
					Reason: "personal data breach likely to result in a risk: the controller notifies its (lead) supervisory authority"})
			}
		}
		if nis2.Status == StatusReportable {
			add(Route{Recipient: "data_protection_authority", MemberStates: home, Level: "should", Basis: "NIS2 Art 31(3), 35(1)",
				Reason: "personal data involved: the competent authority informs the supervisory authority where an Art 21/23 infringement may entail a notifiable personal data breach"})
		}
	}
	others := a.otherMemberStates(home)
	if (in.CrossBorderImpact || len(others) > 0) && nis2.Status == StatusReportable {
		add(Route{Recipient: "other_member_states", MemberStates: others, Level: "should", Basis: "NIS2 Art 23(6), 23(8)",
			Reason: "cross-border impact: the CSIRT, competent authority or SPOC informs the other affected Member States without undue delay, where appropriate; the SPOC forwards to their SPOCs on request"})
		add(Route{Recipient: "enisa", Level: "should", Basis: "NIS2 Art 23(6)", Reason: "cross-border significant incident: ENISA is informed where appropriate"})
	}
	if a.f.Entity.Designation.CERCritical && (nis2.Status == StatusReportable || nis2.Status == StatusDisplaced) {
		add(Route{Recipient: "cer_competent_authority", MemberStates: home, Level: "must", Basis: "NIS2 Art 23(10)",
			Reason: "the entity is a critical entity under Directive (EU) 2022/2557: the CER competent authority is informed"})
	}
	affected := len(others) + len(home)
	if in.ExceedsNationalCapacity || (affected >= 2 && (nis2.Status == StatusReportable || a.major) && len(others) > 0 && in.CrossBorderImpact) {
		add(Route{Recipient: "cyber_crisis_management_authority", MemberStates: home, Level: "should", Basis: "NIS2 Art 6(7), 9",
			Reason: "possibly a large-scale cybersecurity incident: disruption exceeding a Member State's capacity to respond, or significant impact on at least two Member States"})
		add(Route{Recipient: "eu_cyclone", Level: "should", Basis: "NIS2 Art 16; Council Recommendation C/2025/3445",
			Reason: "coordinated management of large-scale incidents at operational level; the Blueprint's political level (IPCR) where needed"})
	}
	if in.SuspectedStateSponsored {
		add(Route{Recipient: "defence_or_national_security", MemberStates: home, Level: "may", Basis: "national law; NIS2 Art 2(6), 2(7), 2(11)",
			Reason: "suspected state-sponsored: defence and national-security services are a matter of national law only; NIS2 requires no disclosure contrary to national security"})
	}
	if a.major {
		add(Route{Recipient: "financial_competent_authority", MemberStates: []string{a.home}, Level: "must", Basis: "DORA Art 19(1), 46",
			Reason: "major ICT-related incident: reported to the relevant competent authority"})
		typ := a.dora.typ
		if a.f.Entity.DORA.SignificantCreditInstitution {
			add(Route{Recipient: "ecb", Level: "must", Basis: "DORA Art 19(1)", Reason: "significant credit institution: the national competent authority transmits the report to the ECB immediately"})
		} else if typ.ECB {
			add(Route{Recipient: "ecb", Level: "must", Basis: "DORA Art 19(6)(b)", Reason: "the competent authority provides details to the ECB for credit, payment and e-money institutions"})
		}
		add(Route{Recipient: "european_supervisory_authorities", Level: "must", Basis: "DORA Art 19(6)(a)", Reason: "the competent authority provides details to EBA, ESMA or EIOPA"})
		add(Route{Recipient: "csirt_or_competent_authority", MemberStates: []string{a.home}, Level: "must", Basis: "DORA Art 19(6)(c)",
			Reason: "the financial competent authority provides details to the NIS2 competent authority, SPOC or CSIRT"})
		add(Route{Recipient: "resolution_authority", Level: "should", Basis: "DORA Art 19(6)(d)", Reason: "where relevant, the resolution authorities and the Single Resolution Board"})
	}
	if cra.Status == StatusReportable {
		add(Route{Recipient: "enisa_single_reporting_platform", MemberStates: cra.Jurisdiction, Level: "must", Basis: "CRA Art 14(1), 14(3), 14(7), 16",
			Reason: "notified simultaneously to the CSIRT designated as coordinator of the Member State of the main establishment and to ENISA, through the single reporting platform"})
	}
	if a.nis2.tsp && nis2.Status == StatusReportable {
		add(Route{Recipient: "eidas_supervisory_body", MemberStates: home, Level: "should", Basis: "NIS2 Art 13(4); Art 23(4), second subparagraph",
			Reason: "trust service provider: cooperation with the supervisory body under Regulation (EU) No 910/2014"})
	}
}

func (a *assessment) regime(name string) RegimeResult {
	for _, r := range a.res.Regimes {
		if r.Regime == name {
			return r
		}
	}
	return RegimeResult{}
}
