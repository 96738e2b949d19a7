// Package pattern parses and validates STIX 2.1 patterns, the language of the
// pattern property of STIX Indicator objects (STIX Version 2.1, section 9,
// "STIX Patterning").
//
// Parse turns a pattern such as
//
//	[file:hashes.'SHA-256' = 'aec0…019f'] FOLLOWEDBY [ipv4-addr:value ISSUBSET '198.51.100.0/24'] WITHIN 300 SECONDS
//
// into a *Pattern, an abstract syntax tree of observation expressions
// (*Observation, *CompoundObservation, *QualifiedObservation) whose leaves are
// comparison expressions (*BooleanExpr, *Comparison) over object paths and
// constants. (*Pattern).String renders the canonical form of a tree, which
// parses back to an equal tree, and (*Pattern).ObjectTypes lists the SCO types
// a pattern refers to. Any failure is a *SyntaxError carrying the byte offset
// in the input where the problem was found.
//
// # Grammar
//
// The parser is a hand-written recursive-descent parser for this grammar,
// derived from the prose of section 9 (lowest precedence first):
//
//	pattern        = obs-followedby EOF
//	obs-followedby = obs-or  { "FOLLOWEDBY" obs-or }
//	obs-or         = obs-and { "OR" obs-and }
//	obs-and        = obs-qualified { "AND" obs-qualified }
//	obs-qualified  = obs-atom { qualifier }
//	obs-atom       = "[" comp-or "]" | "(" obs-followedby ")"
//	qualifier      = "WITHIN" number "SECONDS" | "REPEATS" integer "TIMES"
//	               | "START" timestamp "STOP" timestamp
//	comp-or        = comp-and { "OR" comp-and }
//	comp-and       = comp-atom { "AND" comp-atom }
//	comp-atom      = "(" comp-or ")" | [ "NOT" ] "EXISTS" path
//	               | path [ "NOT" ] operator constant
//	operator       = "=" | "!=" | "<" | "<=" | ">" | ">=" | "IN" | "LIKE"
//	               | "MATCHES" | "ISSUBSET" | "ISSUPERSET"
//	path           = object-type ":" name { "." name | "[" ( integer | "*" ) "]" }
//	name           = identifier | string
//
// Precedence follows section 9.5.3: parentheses, then AND, then OR, then
// FOLLOWEDBY, all associating left to right. Qualifiers bind to the
// observation expression immediately before them (section 9.5.2: in
// "[a] FOLLOWEDBY [b] REPEATS 5 TIMES" the qualifier applies to [b] only).
// NOT may also precede EXISTS, since section 9.6.1 lets NOT precede any
// comparison operator. Keywords are upper case and case-sensitive; the
// boolean constants are "true" and "false". Whitespace is any Unicode
// White_Space code point (section 9.4) and may appear between any two
// tokens.
//
// # Validation
//
// Beyond the grammar, Parse rejects what section 9 and the data types of
// section 2 say is invalid:
//
//   - comparison expressions joined by AND inside one observation expression
//     that refer to different object types (section 9.5: comparison
//     expressions on different object types "MUST be joined by OR", and
//     "all operands of AND in an Observation Expression MUST be satisfiable
//     with the same object");
//   - object types that are not valid type names (section 3.1: lower case,
//     starting with a letter, 3 to 250 characters of a-z, 0-9 and "-");
//   - unquoted property names containing "-" (section 9.7), negative list
//     indices (section 9.7.2) and empty quoted names;
//   - malformed constants: string escapes other than \' and \\, hex that is
//     not an even number of lower-case hex digits, invalid base64, timestamps
//     that are not YYYY-MM-DDTHH:mm:ss[.s+]Z dates that exist (section 2.16),
//     integers outside [-(2^53)+1, 2^53-1] (section 2.10), a "+" sign or
//     leading zeros on numbers (section 9.2), infinite floats;
//   - constants of the wrong kind for their operator: a set other than with
//     IN, IN without a set, sets mixing data types, LIKE and MATCHES without
//     a string, ordering operators with booleans or sets, and ISSUBSET and
//     ISSUPERSET without an IP address or CIDR string (of the family of the
//     object path when it is ipv4-addr:value or ipv6-addr:value);
//   - qualifiers: WITHIN not positive, REPEATS not a positive integer, START
//     not earlier than STOP, and more than one qualifier of a kind on one
//     observation expression (section 9.5.1);
//   - an empty pattern or observation expression;
//   - invalid UTF-8, inputs longer than MaxLength bytes and brackets or
//     parentheses nested deeper than MaxDepth.
//
// Not checked: whether object types and property names exist in the STIX
// object model, whether constants suit the property's data type, and whether
// MATCHES operands are valid PCRE regular expressions.
package pattern
