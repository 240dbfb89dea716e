"""Build ``gold.jsonl`` from the hand-written items below.

    python benchmarks/quotes_gold/make_gold.py

Offsets are never counted by hand: each quote is given as the exact string
of its inner text (what lies between the marks), located with ``str.find``,
and each insertion as a substring searched inside its quote. The script
checks that every quote is really bounded by quotation marks (or, for an
unbalanced one, by the end of its paragraph) and refuses ambiguous strings.

The texts are invented news writing about fictional places and people.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
OPEN_MARKS = "\"“‘'„«"
CLOSE_MARKS = "\"”’'“»"


def _mark_before(text: str, pos: int) -> bool:
    # French guillemets take a (narrow) space inside them; the quote starts after it.
    return text[pos - 1] in OPEN_MARKS or (text[pos - 1] in " \u00a0\u202f" and text[pos - 2] in "«")


def _mark_after(text: str, pos: int) -> bool:
    return text[pos] in CLOSE_MARKS or (text[pos] in " \u00a0\u202f" and text[pos + 1] in "»")


@dataclass
class Q:
    inner: str
    speaker: str | None = None
    kind: str = "speech"
    ins: list[tuple[str, str]] = field(default_factory=list)
    left: bool = False
    right: bool = False
    unbalanced: bool = False
    occ: int = 0  # which occurrence of ``inner`` when it is not unique


ITEMS: list[tuple[str, str, list[Q], str]] = []


def item(id_: str, text: str, quotes: list[Q], notes: str = "") -> None:
    # Documents drop trailing whitespace, so the gold text must not have any.
    ITEMS.append((id_, text.strip(), quotes, notes))


# ---------------------------------------------------------------- basic speech
item(
    "g01",
    "Estravia and Velmora signed a grain transit agreement on Tuesday after three days of talks in the port city of Dorn.\n"
    '"This agreement opens the southern corridor for the first time in a decade," Foreign Minister Irena Vasko said at a joint press conference.\n'
    'Her Velmoran counterpart, Tomas Reiner, was more cautious. "We will judge it by the first shipments, not by the signatures," he told reporters.\n',
    [
        Q("This agreement opens the southern corridor for the first time in a decade,", "Irena Vasko"),
        Q("We will judge it by the first shipments, not by the signatures,", "Tomas Reiner"),
    ],
    "straight marks; role prefix; pronoun resolved to the name in the previous sentence",
)
item(
    "g02",
    "Prime Minister Aron Mikkel opened the session of parliament in Halden on Monday.\n"
    "Mikkel said: “Our budget will not be written in foreign capitals, and it will not be written by bankers.”\n"
    "The opposition walked out before the vote.\n",
    [Q("Our budget will not be written in foreign capitals, and it will not be written by bankers.", "Aron Mikkel")],
    "curly marks; speaker before the quote with a colon; surname resolves to full name",
)
item(
    "g03",
    "Crossings at the eastern border were suspended overnight after a fire at the customs terminal.\n"
    '"The border will reopen on Monday morning if the inspection finds no structural damage," according to Interior Minister Pavel Dunaj.\n',
    [Q("The border will reopen on Monday morning if the inspection finds no structural damage,", "Pavel Dunaj")],
    "according to X after the quote",
)
item(
    "g04",
    "Irena Vasko, Estravia's foreign minister, arrived in Dorn late on Wednesday.\n"
    'Vasko called the deal "a practical step" for the region and said more talks would follow in the spring.\n',
    [Q("a practical step", "Irena Vasko")],
    "partial quote inside a sentence, attributed by 'called'",
)
item(
    "g05",
    'Observers from the Halden Institute said the so-called "referendum" in the eastern districts was held without voter lists.\n'
    'Armed men described in local media as "peacekeepers" stood outside every polling station.\n',
    [Q("referendum", None, "scare"), Q("peacekeepers", None, "scare")],
    "scare quotes of one word",
)

# ------------------------------------------------------ multi-paragraph quotes
item(
    "g06",
    "Lukas Brenner, the mayor of Halden, described the night of the shelling to a group of visiting journalists.\n"
    '"We heard the first explosions just after two in the morning. Nobody in the village had a shelter and the sirens did not work.\n'
    '"By dawn the school and the clinic were gone. The children slept in the church for a week," Brenner said.\n'
    "The regional governor has promised to rebuild both buildings by the autumn.\n",
    [
        Q(
            "We heard the first explosions just after two in the morning. Nobody in the village had a shelter and the sirens did not work.\n"
            '"By dawn the school and the clinic were gone. The children slept in the church for a week,',
            "Lukas Brenner",
        )
    ],
    "a quote over two paragraphs: the first is left open and the second reopens it",
)
item(
    "g07",
    "In a long address to the national assembly, President Aron Mikkel set out his plan for the coming year.\n\n"
    "“First, we will finish the northern railway, which our grandparents were promised and never saw.\n\n"
    "“Second, we will cut the price of electricity for every household that has suffered from the blockade.\n\n"
    "“And third, we will never again depend on a single supplier for our gas,” Mikkel told the deputies.\n\n"
    "The speech was interrupted by applause eleven times.\n",
    [
        Q(
            "First, we will finish the northern railway, which our grandparents were promised and never saw.\n\n"
            "“Second, we will cut the price of electricity for every household that has suffered from the blockade.\n\n"
            "“And third, we will never again depend on a single supplier for our gas,",
            "Aron Mikkel",
        )
    ],
    "curly quote over three blank-line separated paragraphs",
)

# ------------------------------------------------------------- nested quotes
item(
    "g08",
    "Hundreds of lorries were stuck at the Ostra crossing for a third day on Thursday.\n"
    '"When the guards told us \'the border is closed until further notice\', we slept in the cabs," said Anna Petrovic, a driver from Dorn.\n',
    [Q("When the guards told us 'the border is closed until further notice', we slept in the cabs,", "Anna Petrovic")],
    "straight single quote nested in a straight double quote; only the outer quote is scored",
)
item(
    "g09",
    "Estravia rejected the new Velmoran customs rules on Friday.\n"
    "“We don’t accept what they call ‘a temporary measure’ when it has lasted two years,” Vasko said in Dorn.\n",
    [Q("We don’t accept what they call ‘a temporary measure’ when it has lasted two years,", "Vasko")],
    "curly single nested in curly double, with a curly apostrophe in don’t; Vasko is never introduced in full",
)

# ------------------------------------------------------------------- aliases
item(
    "g10",
    "Velmoran foreign ministry spokeswoman Dana Kovalenko (DK below) held her weekly briefing on Thursday.\n"
    'DK: "The drills near our border are a provocation, and they will receive an answer."\n'
    'Asked about the grain corridor, DK said: "We have no objection to ships, only to warships."\n',
    [
        Q("The drills near our border are a provocation, and they will receive an answer.", "Dana Kovalenko"),
        Q("We have no objection to ships, only to warships.", "Dana Kovalenko"),
    ],
    "alias defined as Name (ALIAS below); interview-style 'DK:' attribution",
)
item(
    "g11",
    "Member states of the Northern Defence Compact (NDC) began ten days of exercises on the Velmoran plain on Sunday.\n"
    '"The exercises are purely defensive and were announced months in advance," the NDC said in a statement.\n',
    [Q("The exercises are purely defensive and were announced months in advance,", "Northern Defence Compact")],
    "organisation alias Name (ALIAS)",
)
item(
    "g12",
    'Colonel Viktor Halas, known as "the Architect" among his troops, commands the garrison at the Vel bridge.\n'
    '"We hold the bridge and we will hold it through the winter," Halas said on Saturday.\n'
    '"Nobody here is thinking of retreat," the Architect added.\n',
    [
        Q("the Architect", None, "scare"),
        Q("We hold the bridge and we will hold it through the winter,", "Viktor Halas"),
        Q("Nobody here is thinking of retreat,", "Viktor Halas"),
    ],
    "a quoted nickname (scare) defined with 'known as'; alias used as the speaker",
)

# ------------------------------------------------------------- insertions
item(
    "g13",
    "Vasko was asked on Tuesday whether Estravia still counted on military aid.\n"
    '"They [Western partners] have promised more than they have delivered," Foreign Minister Irena Vasko said.\n',
    [
        Q(
            "They [Western partners] have promised more than they have delivered,",
            "Irena Vasko",
            ins=[("[Western partners]", "clarification")],
        )
    ],
    "bracketed clarification",
)
item(
    "g14",
    "Velmora's prime minister, Oskar Lind, said the ceasefire signed in March still held.\n"
    '"We will honour it (the accord) for as long as Estravia does the same," Lind said.\n',
    [
        Q(
            "We will honour it (the accord) for as long as Estravia does the same,",
            "Oskar Lind",
            ins=[("(the accord)", "clarification")],
        )
    ],
    "parenthesised clarification",
)
item(
    "g15",
    "President Aron Mikkel spoke after the sanctions were announced in Brussels.\n"
    '"(C)oordinated pressure from abroad will not change our course," the president said.\n',
    [
        Q(
            "(C)oordinated pressure from abroad will not change our course,",
            "Aron Mikkel",
            ins=[("(C)", "split-word")],
        )
    ],
    "split-word insertion at the start; role noun 'the president'",
)
item(
    "g16",
    "Foreign Minister Irena Vasko warned on Monday that \"[t]he pressure on our border increas(es) every week\" and demanded new talks.\n",
    [
        Q(
            "[t]he pressure on our border increas(es) every week",
            "Irena Vasko",
            ins=[("[t]", "split-word"), ("(es)", "split-word")],
        )
    ],
    "two split-word insertions in a partial quote",
)
item(
    "g17",
    "General Stefan Oru addressed the troops at the Vel bridge on Sunday.\n"
    '"The [criminal] regime in Dorn must answer for the blockade of our ports," Oru said.\n',
    [
        Q(
            "The [criminal] regime in Dorn must answer for the blockade of our ports,",
            "Stefan Oru",
            ins=[("[criminal]", "editorial")],
        )
    ],
    "loaded editorial insertion",
)
item(
    "g18",
    "Velmoran deputy Marta Cerny told parliament that the opposition had been warned.\n"
    '"They [the Estravian authorities] want to [illegally] seize the port and call it a lease," Cerny said.\n',
    [
        Q(
            "They [the Estravian authorities] want to [illegally] seize the port and call it a lease,",
            "Marta Cerny",
            ins=[("[the Estravian authorities]", "clarification"), ("[illegally]", "editorial")],
        )
    ],
    "one neutral and one loaded insertion in the same quote",
)

# ------------------------------------------------------------- truncations
item(
    "g19",
    "The Estravian Interior Ministry issued a statement after the clashes in Halden.\n"
    'Any further provocation "... will not be tolerated and will be met with force," the ministry said.\n',
    [Q("... will not be tolerated and will be met with force,", "Estravian Interior Ministry", left=True)],
    "left truncation with three dots; role noun 'the ministry' resolves to an organisation",
)
item(
    "g20",
    "Vasko warned that \"we will respond in a way they do not expect...\" but gave no further details.\n",
    [Q("we will respond in a way they do not expect...", "Vasko", right=True)],
    "right truncation; speaker only as surname",
)
item(
    "g21",
    "Tomas Reiner, Velmora's trade envoy, commented on the new sanctions package on social media.\n"
    "“[...] the sanctions have failed, and everyone in Brussels knows it…,” Reiner wrote.\n",
    [Q("[...] the sanctions have failed, and everyone in Brussels knows it…,", "Tomas Reiner", left=True, right=True)],
    "bracketed ellipsis at the start, ellipsis character at the end",
)
item(
    "g22",
    "Vasko described how the corridor had been opened.\n"
    '"We opened the corridor [...] and the first ships left Dorn on Friday," Foreign Minister Irena Vasko said.\n',
    [Q("We opened the corridor [...] and the first ships left Dorn on Friday,", "Irena Vasko")],
    "an internal omission [...] is neither a truncation nor an insertion",
)

# ------------------------------------------------------------- unbalanced
item(
    "g23",
    'Protesters in Halden chanted "Velmora out of our city as they marched to the main square.\n'
    "Police said about four thousand people took part and nobody was detained.\n",
    [Q("Velmora out of our city as they marched to the main square.", None, unbalanced=True)],
    "unbalanced straight mark: the quote ends at the paragraph end",
)
item(
    "g24",
    "Marta Cerny said on Friday: “The coalition has no majority and it knows it.\n"
    "Later, the speaker of parliament, Jonas Vilk, disagreed. \"We have seventy-one votes and we will use them,\" he said.\n",
    [
        Q("The coalition has no majority and it knows it.", "Marta Cerny", unbalanced=True),
        Q("We have seventy-one votes and we will use them,", "Jonas Vilk"),
    ],
    "unbalanced curly mark followed by a normal quote in the next paragraph",
)

# ------------------------------------------------------------- no quotes
item(
    "g25",
    "Grain exports from Estravia rose by a fifth in the first quarter, the national statistics office reported on Wednesday.\n"
    "Most of the increase came from the southern ports, which reopened after the transit agreement with Velmora.\n",
    [],
    "no quotes",
)
item(
    "g26",
    "The ministers' meeting in Dorn ended without a joint communique, and Estravia's delegation left early.\n"
    "Velmora's negotiators blamed the hosts' schedule; the talks' next round has not been set.\n",
    [],
    "no quotes; apostrophes, including plural possessives, must not open single quotes",
)

# ------------------------------------------- attribution: neighbour sentences
item(
    "g27",
    "Foreign Minister Irena Vasko was blunt when asked about the Velmoran proposal.\n"
    '"Nobody will dictate the terms of this peace to us."\n'
    "Her ministry later published the full text of the proposal.\n",
    [Q("Nobody will dictate the terms of this peace to us.", "Irena Vasko")],
    "no cue in the quote's paragraph: the speaker is in the previous sentence",
)
item(
    "g28",
    "Shipping agents in Dorn were told on Monday to hold all departures.\n"
    '"The corridor is closed until further notice." That was the message from port director Elena Sato, delivered by radio to every vessel in the bay.\n',
    [Q("The corridor is closed until further notice.", "Elena Sato")],
    "speaker named in the following sentence without a cue verb",
)
item(
    "g29",
    "Irena Vasko said the talks had gone better than expected.\n"
    '"We found common ground on transit and on prisoners," she said. "On the border itself, we are still far apart," Vasko added.\n'
    '"Nothing is agreed until everything is agreed," she stressed.\n',
    [
        Q("We found common ground on transit and on prisoners,", "Irena Vasko"),
        Q("On the border itself, we are still far apart,", "Irena Vasko"),
        Q("Nothing is agreed until everything is agreed,", "Irena Vasko"),
    ],
    "'added' and 'stressed'; pronoun",
)
item(
    "g30",
    "The talks in Halden collapsed on Thursday evening.\n"
    'Velmoran envoy Tomas Reiner insisted: "We came with a serious offer and we leave with it."\n'
    'In a statement, the Estravian government declared: "There can be no talks while foreign troops remain on our soil."\n',
    [
        Q("We came with a serious offer and we leave with it.", "Tomas Reiner"),
        Q("There can be no talks while foreign troops remain on our soil.", "Estravian government"),
    ],
    "cue before the quote; an organisation written in lower case after a capitalised adjective",
)
item(
    "g31",
    "Dana Kovalenko, the Velmoran ministry's spokeswoman, reacted within minutes of the announcement.\n"
    "“Estravia chose escalation. The consequences are theirs,” Kovalenko wrote on Telegram.\n",
    [Q("Estravia chose escalation. The consequences are theirs,", "Dana Kovalenko")],
    "'wrote'",
)

# ------------------------------------------------------ interrupted quotes
item(
    "g32",
    "Irena Vasko spoke to the BBC's correspondent in Dorn.\n"
    "‘We are ready for talks,’ Vasko said, ‘but not for ultimatums.’\n",
    [
        Q("We are ready for talks,", "Irena Vasko"),
        Q("but not for ultimatums.", "Irena Vasko"),
    ],
    "British style: curly single quotes at the top level, interrupted by the attribution",
)
item(
    "g33",
    'Oskar Lind, Velmora\'s prime minister, answered questions in parliament.\n'
    '"We are not afraid of sanctions," Lind said, "but we are not indifferent to them either."\n',
    [
        Q("We are not afraid of sanctions,", "Oskar Lind"),
        Q("but we are not indifferent to them either.", "Oskar Lind"),
    ],
    "straight marks; quote interrupted by the attribution",
)

# ------------------------------------------------------------- role nouns
item(
    "g34",
    "Senior Velmoran diplomat Oskar Lind met his Estravian counterparts in Halden on Tuesday.\n"
    '"The meeting was frank and useful," Lind said.\n'
    'Defence Minister Pavel Dunaj was less optimistic. "They talk of peace and move artillery," Dunaj said.\n'
    '"Artillery is not on the agenda," the diplomat replied when asked about the remark.\n',
    [
        Q("The meeting was frank and useful,", "Oskar Lind"),
        Q("They talk of peace and move artillery,", "Pavel Dunaj"),
        Q("Artillery is not on the agenda,", "Oskar Lind"),
    ],
    "role noun refers to the speaker introduced with that role, not the last speaker",
)
item(
    "g35",
    "Finance Minister Sofia Amari presented the budget on Monday.\n"
    '"Every spending line has been checked twice," Amari told deputies.\n'
    'Economist Karl Dorsch of the Halden Institute was sceptical. "The revenue figures are a wish, not a forecast," he said.\n'
    '"We stand by every figure," the minister said later.\n',
    [
        Q("Every spending line has been checked twice,", "Sofia Amari"),
        Q("The revenue figures are a wish, not a forecast,", "Karl Dorsch"),
        Q("We stand by every figure,", "Sofia Amari"),
    ],
    "'the minister' after an intervening speaker",
)
item(
    "g36",
    '"We will not sign," Foreign Minister Irena Vasko said, while Velmoran envoy Tomas Reiner replied that "the door remains open."\n',
    [
        Q("We will not sign,", "Irena Vasko"),
        Q("the door remains open.", "Tomas Reiner"),
    ],
    "two speakers in one sentence",
)

# ------------------------------------------------------------- scare vs speech
item(
    "g37",
    'The Velmoran army announced a "humanitarian pause" on Friday, the third in a month.\n'
    'Residents of Halden said shelling continued throughout the so-called "pause", and the Halden City Council called it "a cynical lie told to the world."\n',
    [
        Q("humanitarian pause", None, "scare"),
        Q("pause", None, "scare", occ=1),
        Q("a cynical lie told to the world.", "Halden City Council"),
    ],
    "two scare quotes and a speech quote attributed to an organisation",
)
item(
    "g38",
    "Vasko told the Estravian Herald that \"the corridor will stay open whatever happens in the north.\"\n",
    [Q("the corridor will stay open whatever happens in the north.", "Vasko")],
    "'told' with a capitalised newspaper name between cue and quote",
)
item(
    "g39",
    "The election result surprised most analysts.\n"
    '"Voters punished the government for the blockade, not for the war," said Dr. Helga Morn, a political scientist at the University of Dorn.\n',
    [Q("Voters punished the government for the blockade, not for the war,", "Helga Morn")],
    "'said X' with a title and an apposition",
)
item(
    "g40",
    "Velmora and Estravia exchanged prisoners at the Ostra crossing on Saturday.\n\n"
    "The exchange, brokered by the Red Crescent, involved sixty people on each side. Deputy Foreign Minister Nadia Rusu oversaw the handover on the Estravian side.\n\n"
    "“Every one of them is coming home today,” Rusu said. “We have waited eleven months for this.”\n\n"
    "She said the next exchange could take place within weeks. “The lists are ready. We are waiting for Velmora.”\n\n"
    "Velmoran officials did not comment.\n",
    [
        Q("Every one of them is coming home today,", "Nadia Rusu"),
        Q("We have waited eleven months for this.", "Nadia Rusu"),
        Q("The lists are ready. We are waiting for Velmora.", "Nadia Rusu"),
    ],
    "blank-line layout; follow-on quotes without their own cue",
)
item(
    "g41",
    'Velmoran envoy Tomas Reiner turned to the cameras. "Who will pay for this?" asked Reiner. "Not us!"\n',
    [
        Q("Who will pay for this?", "Tomas Reiner"),
        Q("Not us!", "Tomas Reiner"),
    ],
    "'asked X' and a short exclamation following it (speech, not scare)",
)
item(
    "g42",
    "Irena Vasko, Estravia's foreign minister, said on Tuesday that \"no country in the region benefits from a frozen conflict\".\n",
    [Q("no country in the region benefits from a frozen conflict", "Irena Vasko")],
    "speaker before the partial quote, separated by an apposition; full stop outside the marks",
)
item(
    "g43",
    "Sofia Amari, the finance minister, defended the tax rise.\n"
    '"I don\'t like it, you don\'t like it, but the 2024-25 deficit won\'t close itself," Amari said.\n',
    [Q("I don't like it, you don't like it, but the 2024-25 deficit won't close itself,", "Sofia Amari")],
    "straight apostrophes inside a straight double quote",
)
item(
    "g44",
    'Opposition leader Marta Cerny said the vote was "a farce." Her party will boycott the "new constitution" until it is put to a referendum.\n',
    [
        Q("a farce.", "Marta Cerny"),
        Q("new constitution", None, "scare"),
    ],
    "a two-word attributed quote is speech; an unattributed two-word quote is scare",
)
item(
    "g45",
    'According to the Northern Defence Compact, "the drills will last ten days and involve no live fire near the border."\n',
    [Q("the drills will last ten days and involve no live fire near the border.", "Northern Defence Compact")],
    "'according to X' before the quote",
)
item(
    "g46",
    "Halden's chief rabbi, Ezra Talmor, spoke at the memorial on Sunday.\n\n"
    "“We lost neighbours, not numbers. Each of them had a name and a street and a bakery they liked.\n\n"
    "“If we forget the names, we will forget why this must not happen again.”\n\n"
    "About two thousand people attended.\n",
    [
        Q(
            "We lost neighbours, not numbers. Each of them had a name and a street and a bakery they liked.\n\n"
            "“If we forget the names, we will forget why this must not happen again.",
            "Ezra Talmor",
        )
    ],
    "multi-paragraph quote without a cue: speaker from the previous paragraph",
)
item(
    "g47",
    "Finance Minister Sofia Amari was blunt in her reply to the auditors.\n"
    '"The budget (and I repeat, the budget) is not the problem; the revenue is," Amari said.\n',
    [Q("The budget (and I repeat, the budget) is not the problem; the revenue is,", "Sofia Amari")],
    "the speaker's own parenthesis is not an insertion (hard case)",
)
item(
    "g48",
    "Irena Vasko met Velmoran envoy Tomas Reiner in Dorn on Monday.\n"
    '"We agreed on a timetable," Vasko said after the meeting.\n'
    '"The first ships can leave in May. The second convoy will follow in June."\n',
    [
        Q("We agreed on a timetable,", "Irena Vasko"),
        Q("The first ships can leave in May. The second convoy will follow in June.", "Irena Vasko"),
    ],
    "a cue-less quote in the next paragraph continues the previous speaker",
)
item(
    "g49",
    "The Velmoran Defence Ministry said the drills were \"routine\" and had been \"planned months ago.\"\n",
    [
        Q("routine", "Velmoran Defence Ministry"),
        Q("planned months ago.", "Velmoran Defence Ministry"),
    ],
    "one-word quote attributed by a cue is speech (hard case)",
)
item(
    "g50",
    "Foreign Minister Irena Vasko closed the conference.\n"
    "Thank you all for coming, she said, and left without taking questions.”\n",
    [],
    "a stray closing mark with no opening mark is not a quote",
)
item(
    "g51",
    "The Estravian Border Service (EBS) reported long queues at all crossings.\n"
    '"Waiting times exceed nine hours at Ostra," the EBS said on Friday.\n',
    [Q("Waiting times exceed nine hours at Ostra,", "Estravian Border Service")],
    "organisation alias",
)
item(
    "g52",
    "Radu Ilic, known as Commander Grom, leads the volunteers in the hills above Halden.\n"
    '"We will not leave until the last family is out," Grom said.\n',
    [Q("We will not leave until the last family is out,", "Radu Ilic")],
    "alias defined with 'known as' (no marks)",
)
item(
    "g53",
    "A woman queuing for bread outside the station shook her head.\n"
    '"There is nothing left in the shops since Tuesday," she said.\n',
    [Q("There is nothing left in the shops since Tuesday,", None)],
    "pronoun with no named person before it: no speaker",
)
item(
    "g54",
    "Jonas Vilk, the speaker of parliament, closed the debate.\n"
    "“We will vote tomorrow whatever the opposition does,\" Vilk said.\n",
    [Q("We will vote tomorrow whatever the opposition does,", "Jonas Vilk")],
    "mixed marks: a curly opening mark closed by a straight one",
)
item(
    "g55",
    "Velmoran deputy Marta Cerny spoke for forty minutes.\n"
    '"We – and I mean every party in this chamber – are responsible for the blockade," Cerny said. She called the government\'s plan "a surrender dressed as a compromise".\n',
    [
        Q("We – and I mean every party in this chamber – are responsible for the blockade,", "Marta Cerny"),
        Q("a surrender dressed as a compromise", "Marta Cerny"),
    ],
    "dashes inside a quote; 'called' with a pronoun subject",
)
item(
    "g56",
    "Estravian and Velmoran negotiators will meet again in Halden next week, diplomats said.\n"
    "The agenda includes the border, the corridor and the fate of the Vel bridge.\n"
    "Neither side has published its proposals.\n",
    [],
    "no quotes; a reporting verb without a quote",
)
item(
    "g57",
    "General Stefan Oru ordered the convoy to turn back.\n"
    '"They [Estravian units] opened fire first," the general claimed, adding that his men had "[n]ot fired a single shot."\n',
    [
        Q("They [Estravian units] opened fire first,", "Stefan Oru", ins=[("[Estravian units]", "clarification")]),
        Q("[n]ot fired a single shot.", "Stefan Oru", ins=[("[n]", "split-word")]),
    ],
    "'claimed'; role noun 'the general'; partial quote after 'adding that'",
)
item(
    "g58",
    "Police in Dorn said on Sunday that the 'peace march' had been organised abroad.\n",
    [Q("peace march", None, "scare")],
    "straight single-quote scare quote",
)
item(
    "g59",
    "Prime Minister Oskar Lind spoke after the cabinet meeting.\n"
    "“Our partners [in the Northern Defence Compact] must decide whether they want a (stable) neighbour or a failed one,” Lind said, “and they must decide soon…”\n",
    [
        Q(
            "Our partners [in the Northern Defence Compact] must decide whether they want a (stable) neighbour or a failed one,",
            "Oskar Lind",
            ins=[("[in the Northern Defence Compact]", "clarification"), ("(stable)", "clarification")],
        ),
        Q("and they must decide soon…", "Oskar Lind", right=True),
    ],
    "two insertions; interrupted curly quote with a right truncation",
)
item(
    "g60",
    "The head of the Halden clinic, Dr. Mirela Stan, said supplies would last a week.\n"
    '"After that [...] we will have to choose who gets treated," she warned.\n'
    'Stan said the ministry had promised deliveries "by the end of the month" but nothing had arrived.\n',
    [
        Q("After that [...] we will have to choose who gets treated,", "Mirela Stan"),
        Q("by the end of the month", "Mirela Stan"),
    ],
    "'warned'; internal omission; partial quote of a promise attributed by the sentence subject",
)


# ------------------------------------------------ second batch (written after v1 of the extractor)
item(
    "g61",
    "Bread prices in Dorn have doubled since the winter.\n"
    '"Prices will keep rising until the port is open again," says Jan Hollis, who runs a bakery near the station.\n',
    [Q("Prices will keep rising until the port is open again,", "Jan Hollis")],
    "present-tense 'says X' with a relative clause",
)
item(
    "g62",
    "Foreign Minister Irena Vasko gave her first interview since the talks collapsed.\n"
    'In an interview with the Halden Gazette, Vasko said the blockade "has cost us a generation of trade".\n',
    [Q("has cost us a generation of trade", "Irena Vasko")],
    "an introductory phrase with a capitalised newspaper before the speaker",
)
item(
    "g63",
    "The government’s “reforms” have emptied the villages, and what officials call “optimisation” has closed forty schools.\n",
    [Q("reforms", None, "scare"), Q("optimisation", None, "scare")],
    "curly scare quotes; a cue with an unnamed subject",
)
item(
    "g64",
    "Ambassador Lena Fischer listened to the minister's account of the ceasefire.\n"
    "“Where were the guarantees then?” asked Ambassador Lena Fischer.\n",
    [Q("Where were the guarantees then?", "Lena Fischer")],
    "'asked' with a title before the name",
)
item(
    "g65",
    "Tomas Reiner read the government's statement aloud to reporters in Halden.\n"
    '"Velmora has fulfilled every condition of the March agreement, including the withdrawal from the river crossings.\n'
    '"Velmora has opened its airspace to civilian flights and released all detained sailors.\n'
    '"Velmora now expects Estravia to do the same, without delay and without new conditions."\n'
    "He did not take questions.\n",
    [
        Q(
            "Velmora has fulfilled every condition of the March agreement, including the withdrawal from the river crossings.\n"
            '"Velmora has opened its airspace to civilian flights and released all detained sailors.\n'
            '"Velmora now expects Estravia to do the same, without delay and without new conditions.',
            "Tomas Reiner",
        )
    ],
    "three-paragraph quote in line layout; the speaker is in the paragraph before",
)
item(
    "g66",
    "Thousands gathered outside parliament on Saturday. One banner read “No to the lease, no to the base as the crowd moved toward the square.\n"
    "Organisers said the next rally would be held in Ostra.\n",
    [Q("No to the lease, no to the base as the crowd moved toward the square.", None, unbalanced=True)],
    "unbalanced curly mark in the middle of a paragraph",
)
item(
    "g67",
    "Opposition leader Marta Cerny posted a photo of the letter on social media.\n"
    '"The goverment [sic] has lied to parliament three times this month," Cerny wrote.\n',
    [Q("The goverment [sic] has lied to parliament three times this month,", "Marta Cerny", ins=[("[sic]", "clarification")])],
    "[sic] is a (neutral) insertion",
)
item(
    "g68",
    'Irena Vasko said "[o]ur patience is not endless" and warned that "[w]e will act if the convoy is stopped again."\n',
    [
        Q("[o]ur patience is not endless", "Irena Vasko", ins=[("[o]", "split-word")]),
        Q("[w]e will act if the convoy is stopped again.", "Irena Vasko", ins=[("[w]", "split-word")]),
    ],
    "two partial quotes in one sentence, each with a split-word bracket",
)
item(
    "g69",
    "Marta Cerny met Finance Minister Sofia Amari on Monday to discuss the budget.\n"
    'Amari was asked whether the tax rise would be dropped. "Not this year and not next year," she told reporters.\n',
    [Q("Not this year and not next year,", "Sofia Amari")],
    "pronoun with two women named before: the nearest one",
)
item(
    "g70",
    "Velmoran foreign ministry spokeswoman Dana Kovalenko spoke first.\n"
    '"We expect an apology," Kovalenko said.\n'
    'Estravian deputy Nadia Rusu rejected the demand. "There will be no apology for defending our border," Rusu said.\n'
    '"Then there will be no talks," the spokeswoman replied.\n',
    [
        Q("We expect an apology,", "Dana Kovalenko"),
        Q("There will be no apology for defending our border,", "Nadia Rusu"),
        Q("Then there will be no talks,", "Dana Kovalenko"),
    ],
    "role noun 'the spokeswoman' after an intervening speaker",
)
item(
    "g71",
    "The Estravian Foreign Ministry summoned the Velmoran ambassador on Thursday.\n"
    'The ambassador was told that the incursion was "a grave violation of the March agreement", according to a statement from the ministry.\n',
    [Q("a grave violation of the March agreement", "Estravian Foreign Ministry")],
    "'according to a statement from the ministry' after the quote; a passive 'was told' before it",
)
item(
    "g72",
    "Prime Minister Oskar Lind answered the opposition in parliament.\n"
    "‘They keep saying “trust us”, but trust is earned in this region,’ Lind said.\n",
    [Q("They keep saying “trust us”, but trust is earned in this region,", "Oskar Lind")],
    "a curly double quote nested in a top-level curly single quote",
)
item(
    "g73",
    "Velmoran deputy Marta Cerny did not hide her anger in the chamber.\n"
    "‘The ministers’ promises mean nothing to the families in Halden,’ Cerny said.\n",
    [Q("The ministers’ promises mean nothing to the families in Halden,", "Marta Cerny")],
    "a plural possessive apostrophe inside a top-level single quote (hard case)",
)
item(
    "g74",
    "Fuel deliveries to the Halden clinic stopped on Monday.\n"
    '"We have fuel for two more days," Petra Lang, a nurse at the clinic, said on Tuesday.\n',
    [Q("We have fuel for two more days,", "Petra Lang")],
    "name with an apposition between it and the cue",
)
item(
    "g75",
    "The Northern Defence Compact has not commented on the incident.\n"
    '"The talks will resume on Monday," the compact\'s secretary general, Ivo Marek, said later.\n',
    [Q("The talks will resume on Monday,", "Ivo Marek")],
    "the name comes after a role phrase and a comma",
)
item(
    "g76",
    "President Aron Mikkel was asked about the blockade as he left the cathedral.\n"
    'Mikkel said only "we are patient" and walked to his car.\n',
    [Q("we are patient", "Aron Mikkel")],
    "a three-word attributed quote without final punctuation is speech",
)

# Added after the analyzer met the examples/opinion-harbour-accord.txt article
# (loaded reporting verb; a country at the start of a sentence; "she" after it).
item(
    "g77",
    "Irena Vasko arrived in Dorn on Monday.\n"
    "\u201cOur partners must respect the accord,\u201d Irena Vasko lectured reporters. Dravno did not even "
    "pretend that Lutsen is an equal party.\n"
    "\u201cPatrols will begin in March,\u201d she announced.\n"
    "Either Lutsen tears up the accord, or it surrenders its coast.\n",
    [Q("Our partners must respect the accord,", "Irena Vasko"), Q("Patrols will begin in March,", "Irena Vasko")],
    "loaded cue verb; pronoun after a country named in between goes to the last speaker",
)
item(
    "g78",
    "Halden's port authority met on Friday.\n"
    "\u201cThe quays are safe,\u201d harbour master Lena Dahl boasted. \u201cNothing was damaged.\u201d\n"
    "Neither Halden nor Dorn has published the inspection report.\n",
    [Q("The quays are safe,", "Lena Dahl"), Q("Nothing was damaged.", "Lena Dahl")],
    "loaded cue verb; a second quote continues the same speaker; sentence-initial 'Neither'",
)


def build(items: list[tuple[str, str, list[Q], str]] | None = None) -> list[dict]:
    """Gold records for *items* (by default this file's ``ITEMS``)."""
    out = []
    seen: set[str] = set()
    for id_, text, quotes, notes in ITEMS if items is None else items:
        assert id_ not in seen, id_
        seen.add(id_)
        records = []
        for q in quotes:
            start = -1
            for _ in range(q.occ + 1):
                start = text.find(q.inner, start + 1)
                assert start >= 0, (id_, q.inner)
            if q.occ == 0:
                assert text.find(q.inner, start + 1) == -1 or q.kind == "scare", f"{id_}: ambiguous {q.inner!r}"
            end = start + len(q.inner)
            assert _mark_before(text, start), (id_, q.inner, text[start - 1])
            if q.unbalanced:
                assert end == len(text) or text[end] == "\n", (id_, q.inner)
            else:
                assert _mark_after(text, end), (id_, q.inner, text[end])
            ins = []
            for sub, kind in q.ins:
                pos = text.find(sub, start, end)
                assert pos >= 0, (id_, sub)
                assert text.find(sub, pos + 1, end) == -1, f"{id_}: ambiguous insertion {sub!r}"
                ins.append({"start": pos, "end": pos + len(sub), "kind": kind})
            records.append(
                {
                    "start": start,
                    "end": end,
                    "speaker": q.speaker,
                    "kind": q.kind,
                    "insertions": ins,
                    "truncated": {"left": q.left, "right": q.right},
                }
            )
        records.sort(key=lambda r: r["start"])
        out.append({"id": id_, "text": text, "quotes": records, "notes": notes})
    return out


def main() -> None:
    items = build()
    path = HERE / "gold.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for rec in items:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    n_quotes = sum(len(r["quotes"]) for r in items)
    n_ins = sum(len(q["insertions"]) for r in items for q in r["quotes"])
    print(f"wrote {len(items)} items, {n_quotes} quotes, {n_ins} insertions to {path}")


if __name__ == "__main__":
    main()
