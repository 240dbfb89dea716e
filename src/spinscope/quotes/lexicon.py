"""Word lists the quotation rules consult.

Every rule in :mod:`spinscope.quotes` that depends on vocabulary reads it
from here, so extending coverage (a new cue verb, a new role noun) is a data
change, not a code change. All entries are lower case unless stated.
"""

from __future__ import annotations

__all__ = [
    "CUE_VERBS",
    "CUE_PHRASES_RIGHT",
    "PASSIVE_AUXILIARIES",
    "PRONOUNS",
    "ROLE_NOUNS",
    "TITLE_WORDS",
    "LEADING_STOP_WORDS",
    "ORG_HEADS",
    "ORG_NOUNS",
    "NON_SPEAKER_PRECEDERS",
    "CALENDAR_WORDS",
    "DETERMINERS",
    "SCARE_TRIGGERS",
    "ALIAS_INTRODUCERS",
    "ABBREVIATIONS",
    "ELLIPSES",
    "CLARIFYING_ANTECEDENTS",
    "JUDGEMENT_WORDS",
    "JUDGEMENT_AFFIXES",
]

#: Reporting verbs in every form we expect in news prose ("said", "adding").
CUE_VERBS: frozenset[str] = frozenset(
    """
    say says said saying tell tells told telling add adds added adding
    stress stresses stressed stressing note notes noted noting
    warn warns warned warning insist insists insisted insisting
    claim claims claimed claiming argue argues argued arguing
    write writes wrote writing explain explains explained explaining
    announce announces announced announcing declare declares declared declaring
    reply replies replied replying ask asks asked asking answer answers answered
    state states stated remark remarks remarked comment comments commented
    continue continues continued admit admits admitted acknowledge acknowledged
    concede conceded urge urges urged predict predicted recall recalled
    suggest suggested tweet tweeted post posted complain complained
    allege alleged assert asserted emphasise emphasised emphasize emphasized
    underline underlined conclude concluded respond responded vow vowed
    pledge pledged call calls called describe describes described
    chant chanted shout shouted cry cried scream screamed
    lecture lectures lectured boast boasts boasted brag bragged rant ranted
    scoff scoffed sneer sneered snap snapped quip quipped lament lamented
    thunder thundered fume fumed blast blasted threaten threatened
    """.split()
)

#: Multi-word cues whose speaker stands to their right ("according to X").
CUE_PHRASES_RIGHT: tuple[str, ...] = ("according to", "in the words of")

#: A cue verb after one of these is passive ("were told"): its subject is not a speaker.
PASSIVE_AUXILIARIES: frozenset[str] = frozenset({"was", "were", "been", "be", "being", "is", "are"})

#: Third-person pronouns that can stand for a speaker.
PRONOUNS: frozenset[str] = frozenset({"he", "she"})

#: Nouns that, after "the", refer back to someone introduced with that word
#: ("the minister", "the diplomat", "the ministry").
ROLE_NOUNS: frozenset[str] = frozenset(
    """
    minister president diplomat general ministry mayor governor envoy
    spokeswoman spokesman spokesperson colonel commander chancellor ambassador
    premier economist analyst director deputy senator judge prosecutor
    official officer chief rabbi priest bishop leader chairman chairwoman secretary
    government army council compact alliance agency service institute
    police military navy parliament court office committee organisation organization
    """.split()
)

#: Capitalised words that may precede a name as a title and are not part of it.
TITLE_WORDS: frozenset[str] = frozenset(
    """
    foreign interior defence defense finance economy justice health trade energy
    transport agriculture education culture
    prime deputy vice senior chief minister president general colonel major
    lieutenant captain sergeant admiral commander mayor governor ambassador
    envoy senator judge professor prof prof. dr dr. mr mr. mrs mrs. ms ms.
    gen gen. col col. lt lt. sgt sgt. capt capt. sen sen. gov gov. rep rep.
    spokeswoman spokesman economist analyst opposition leader chairman chairwoman
    secretary speaker director queen king prince princess sheikh pope father
    director-general secretary-general attorney district drummer private
    """.split()
)

#: Capitalised function words a name sequence may start with only because
#: they begin a sentence ("The", "Her", "Later").
LEADING_STOP_WORDS: frozenset[str] = frozenset(
    """
    the a an her his its their our my your this that these those in on at
    later asked any after before when while since but and or if as by for
    from with without into over under during member members most some many
    he she it we they i you
    either neither both whether then now every where there here yet so
    """.split()
)

#: Name tokens that make a capitalised sequence an organisation.
ORG_HEADS: frozenset[str] = frozenset(
    """
    ministry compact organization organisation institute council service herald
    university office party crescent cross assembly parliament government army
    police bank union agency committee court times news post forces front
    alliance commission group company corporation association federation league
    guard navy command department bureau authority authorities tribune gazette
    """.split()
)

#: Lower-case nouns that, after a capitalised adjective, name an organisation
#: ("the Estravian government", "the Velmoran army").
ORG_NOUNS: frozenset[str] = frozenset(
    """
    government army ministry authorities parliament police military navy
    council court presidency administration leadership embassy
    """.split()
)

#: A capitalised word right after one of these is a place or an object, not a
#: speaker ("in Dorn", "of Halden", "on Telegram").
NON_SPEAKER_PRECEDERS: frozenset[str] = frozenset(
    """
    in at from to of near with on into for across between against over under
    toward towards through via outside inside around
    """.split()
)

#: Capitalised words that are never names.
CALENDAR_WORDS: frozenset[str] = frozenset(
    """
    monday tuesday wednesday thursday friday saturday sunday january february
    march april may june july august september october november december
    """.split()
)

#: A short quote right after one of these is a term in the author's voice
#: ("the 'peace march'"), i.e. a scare quote.
DETERMINERS: frozenset[str] = frozenset(
    {"a", "an", "the", "this", "that", "these", "those", "their", "its", "his", "her", "our", "your", "my"}
)

#: Phrases right before a quote that make it a scare quote or a nickname.
SCARE_TRIGGERS: tuple[str, ...] = (
    "so-called",
    "so called",
    "self-styled",
    "self-proclaimed",
    "known as",
    "dubbed",
    "nicknamed",
    "branded as",
)

#: Phrases after a name that introduce another name for it.
ALIAS_INTRODUCERS: tuple[str, ...] = (
    "also known as",
    "better known as",
    "known as",
    "nicknamed",
    "dubbed",
    "referred to below as",
    "referred to hereafter as",
    "referred to as",
    "hereafter",
    "hereinafter",
    "henceforth",
)

#: Abbreviations whose full stop does not end a sentence (lower case, no dot).
ABBREVIATIONS: frozenset[str] = frozenset(
    """
    dr mr mrs ms prof gen col lt sgt capt sen rep gov st no vs etc jr sr
    jan feb mar apr jun jul aug sep sept oct nov dec
    """.split()
)

#: Ellipsis forms, longest first so "[...]" wins over "...".
ELLIPSES: tuple[str, ...] = ("[...]", "[…]", "(...)", "(…)", ". . .", "...", "…")

#: Words right before a bracket that make the bracket say *who or what* they
#: are: "They [Western partners]", "it (the accord)".
CLARIFYING_ANTECEDENTS: frozenset[str] = frozenset(
    """
    they them their it its he him his she her we us our this that these those
    who which there here partners
    """.split()
)

#: Words that, put in brackets into someone's speech, pass a judgement rather
#: than say who or what is meant: "(so-called)", "[terrorist]", "(illegitimate)".
#: Matched on each word of the bracket (lower case, hyphenated parts too).
JUDGEMENT_WORDS: frozenset[str] = frozenset(
    """
    so-called self-styled self-proclaimed alleged supposed purported would-be
    terrorist terrorists terror criminal criminals illegal illegally illegitimate
    unlawful unlawfully puppet puppets regime junta fascist fascists nazi nazis
    neo-nazi neo-nazis extremist extremists radical radicals militant militants
    thug thugs bandit bandits mercenary mercenaries invader invaders occupier
    occupiers occupying aggressor aggressors rogue fake bogus sham corrupt
    brutal barbaric murderous genocidal bloody criminally sabotaged staged
    treacherous traitor traitors propaganda lying
    """.split()
)

#: Second halves of hyphenated words that make the same judgement
#: ("foreign-backed", "Western-funded", "state-sponsored").
JUDGEMENT_AFFIXES: tuple[str, ...] = ("-backed", "-funded", "-sponsored", "-controlled", "-installed", "-financed", "-paid")
