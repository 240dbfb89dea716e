"""Build the two later quotation sets, ``set_a.jsonl`` and ``set_b.jsonl``.

    python benchmarks/quotes_gold/make_heldout.py

Same item format and offset checks as ``make_gold.py`` (whose ``Q`` and
``build`` this script reuses), plus an optional ``language`` per item: the
ISO code the scorer gives the Document, so that a non-English passage is
read the way ``spinscope analyze`` reads it (no English NER mentions).

* ``set_a`` (``a01``-``a40``) was written for issue 22 *before* any change to
  the quote or entity code and scored once blind with the code of that day;
  its cases (titles and role nouns before names, aliases, split quotes,
  insertions of both kinds, no-cue quotes near place names, non-English)
  were then used to check the fixes, so after that first score it is a
  development set.
* ``set_b`` (``b01``-``b15``) was written at the same time, covers the same
  kinds of case with different wording, and was scored only after the
  fixes were finished: the held-out figure.

The texts are invented news writing about fictional places and people.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from make_gold import Q, build

SET_A: list[tuple[str, str, list[Q], str]] = []
SET_B: list[tuple[str, str, list[Q], str]] = []
LANGUAGE: dict[str, str] = {}


def a(id_: str, text: str, quotes: list[Q], notes: str = "", language: str | None = None) -> None:
    SET_A.append((id_, text.strip(), quotes, notes))
    if language:
        LANGUAGE[id_] = language


def b(id_: str, text: str, quotes: list[Q], notes: str = "", language: str | None = None) -> None:
    SET_B.append((id_, text.strip(), quotes, notes))
    if language:
        LANGUAGE[id_] = language


# ------------------------------------------------- titles and roles before names
a(
    "a01",
    "Estravia's Foreign Ministry spokeswoman Lidia Moravec (LM below) held a briefing in Dorn on Thursday.\n"
    '"The convoy was stopped on Velmoran soil, not ours," LM said.\n'
    '"We have asked the observers to publish their logs," LM added.\n',
    [
        Q("The convoy was stopped on Velmoran soil, not ours,", "Lidia Moravec"),
        Q("We have asked the observers to publish their logs,", "Lidia Moravec"),
    ],
    "country's ministry + role noun before the name; alias defined as '(LM below)'",
)
a(
    "a02",
    "Velmora's Defence Ministry spokesman Petr Havlin said on Monday that the exercises would end early.\n"
    '"Our units will be back in their barracks by Friday," Havlin told reporters.\n',
    [Q("Our units will be back in their barracks by Friday,", "Petr Havlin")],
    "ministry name and role noun before the name; surname later",
)
a(
    "a03",
    "\u201cThere is no blockade of the port,\u201d Estravian Interior Ministry spokeswoman Hana Bilek said on Tuesday.\n",
    [Q("There is no blockade of the port,", "Hana Bilek")],
    "speaker after the quote behind an adjective, ministry and role noun",
)
a(
    "a04",
    "Northern Defence Compact Secretary General Anders Holm arrived in Halden late on Sunday.\n"
    "\u201cThe Compact stands with its members,\u201d the secretary general said.\n",
    [Q("The Compact stands with its members,", "Anders Holm")],
    "organisation name + title before the name; role noun later",
)
a(
    "a05",
    "Dorn City Council deputy chairwoman Eva Kral (hereafter Kral) opposed the new tax.\n"
    '"Families in the old town cannot pay twice for the same water," Kral said.\n',
    [Q("Families in the old town cannot pay twice for the same water,", "Eva Kral")],
    "council name and role before the name; 'hereafter' alias",
)
a(
    "a06",
    "Velmoran President Mikael Sorn spoke to parliament on Wednesday.\n"
    '"Nobody will redraw our borders," the president said. "Not this year, not ever."\n',
    [
        Q("Nobody will redraw our borders,", "Mikael Sorn"),
        Q("Not this year, not ever.", "Mikael Sorn"),
    ],
    "nationality + title before the name; a continuation quote without a cue",
)
a(
    "a07",
    "State news agency Estrapress quoted Deputy Foreign Minister Jan Orlik as saying the talks had stalled.\n"
    '"We are not going to sign a text we have not seen," Orlik said.\n',
    [Q("We are not going to sign a text we have not seen,", "Jan Orlik")],
    "an agency quoted the official: the official is the speaker",
)
a(
    "a08",
    "Estravia's Health Ministry press secretary Vera Lind (VL below) briefed journalists on the outbreak.\n"
    "\u201cThe hospitals in Ostra have enough beds,\u201d VL said. \u201cWe are moving staff from Dorn as a precaution.\u201d\n"
    "Later, VL added: \u201cNo school will close this week.\u201d\n",
    [
        Q("The hospitals in Ostra have enough beds,", "Vera Lind"),
        Q("We are moving staff from Dorn as a precaution.", "Vera Lind"),
        Q("No school will close this week.", "Vera Lind"),
    ],
    "alias below; a city in the quote; continuation quote",
)
# ------------------------------------------------------------------ aliases
a(
    "a09",
    "The Velmoran Grain Traders Association (hereafter the Association) protested the export quota.\n"
    '"The quota will ruin half of our members," the Association said in a statement.\n',
    [Q("The quota will ruin half of our members,", "Velmoran Grain Traders Association")],
    "organisation alias with 'hereafter the'",
)
a(
    "a10",
    "Colonel Tomas Brandt, referred to below as TB, commands the border brigade.\n"
    '"Nobody crosses this line without papers," TB said.\n',
    [Q("Nobody crosses this line without papers,", "Tomas Brandt")],
    "'referred to below as' alias",
)
a(
    "a11",
    "Opposition leader Sara Novak, who signs her posts as SN, wrote on Friday that the vote was rigged.\n"
    '"Every district with a camera voted differently from every district without one," SN wrote.\n',
    [Q("Every district with a camera voted differently from every district without one,", "Sara Novak")],
    "alias introduced by a relative clause 'signs as'",
)
a(
    "a12",
    "The Estravian Election Commission (EEC) rejected the complaint.\n"
    '"The count was observed at every station," the EEC said. The opposition did not respond.\n',
    [Q("The count was observed at every station,", "Estravian Election Commission")],
    "acronym alias of an organisation",
)
# ------------------------------------------------------------- split quotes
a(
    "a13",
    "Irena Vasko met the Velmoran delegation on Tuesday.\n"
    '"We will keep the corridor open," she said, "for as long as the ships keep coming."\n',
    [
        Q("We will keep the corridor open,", "Irena Vasko"),
        Q("for as long as the ships keep coming.", "Irena Vasko"),
    ],
    "split quote interrupted by 'she said'",
)
a(
    "a14",
    "\u201cThe sanctions are working,\u201d said Finance Minister Karel Dvorak, \u201cand they will be tightened in May.\u201d\n",
    [
        Q("The sanctions are working,", "Karel Dvorak"),
        Q("and they will be tightened in May.", "Karel Dvorak"),
    ],
    "split quote with an inverted cue and a title",
)
a(
    "a15",
    "Mayor Lukas Brenner toured the flooded district.\n"
    '"The water came in two hours," Brenner said. "We had no warning," he added, "none at all."\n',
    [
        Q("The water came in two hours,", "Lukas Brenner"),
        Q("We had no warning,", "Lukas Brenner"),
        Q("none at all.", "Lukas Brenner"),
    ],
    "split quote after an earlier quote",
)
a(
    "a16",
    "Compact spokeswoman Nora Hals addressed the question of the missiles.\n"
    "\u201cOur partners [the Velmoran government] have asked us,\u201d Hals said, \u201cto keep the batteries in place (illegally) until spring.\u201d\n",
    [
        Q(
            "Our partners [the Velmoran government] have asked us,",
            "Nora Hals",
            ins=[("[the Velmoran government]", "clarification")],
        ),
        Q(
            "to keep the batteries in place (illegally) until spring.",
            "Nora Hals",
            ins=[("(illegally)", "editorial")],
        ),
    ],
    "split quote with a clarification in the first half and an editorial insertion in the second",
)
a(
    "a17",
    "'We are ready for talks,' the envoy, Pavel Stern, said, 'but not for an ultimatum.'\n",
    [
        Q("We are ready for talks,", "Pavel Stern"),
        Q("but not for an ultimatum.", "Pavel Stern"),
    ],
    "single-mark split quote; name in an apposition to a role noun",
)
# ------------------------------------------------------------ insertions
a(
    "a18",
    "Foreign Minister Irena Vasko answered questions after the summit.\n"
    '"They [the partners] have promised air defence and they must deliver it," Vasko said.\n',
    [
        Q(
            "They [the partners] have promised air defence and they must deliver it,",
            "Irena Vasko",
            ins=[("[the partners]", "clarification")],
        )
    ],
    "bracket that only says who a pronoun means",
)
a(
    "a19",
    "General Ivo Marek spoke at the parade in Ostra.\n"
    '"The (foreign-backed) rebels have lost the hills," Marek said.\n',
    [
        Q(
            "The (foreign-backed) rebels have lost the hills,",
            "Ivo Marek",
            ins=[("(foreign-backed)", "editorial")],
        )
    ],
    "judgement added in parentheses",
)
a(
    "a20",
    "Velmoran Prime Minister Oskar Lind replied to the opposition.\n"
    '"The (so-called) protest movement is paid from abroad," Lind said.\n',
    [
        Q(
            "The (so-called) protest movement is paid from abroad,",
            "Oskar Lind",
            ins=[("(so-called)", "editorial")],
        )
    ],
    "'(so-called)' inserted: editorial",
)
a(
    "a21",
    "The commander of the garrison, Major Edvard Kos, described the night.\n"
    '"The group [terrorist] fired on the checkpoint at midnight," Kos said.\n',
    [
        Q(
            "The group [terrorist] fired on the checkpoint at midnight,",
            "Edvard Kos",
            ins=[("[terrorist]", "editorial")],
        )
    ],
    "one-word bracketed label: editorial",
)
a(
    "a22",
    "Irena Vasko wrote to the Compact's council on Monday.\n"
    '"It [the agreement] expires in June and we will not extend it," she wrote.\n',
    [
        Q(
            "It [the agreement] expires in June and we will not extend it,",
            "Irena Vasko",
            ins=[("[the agreement]", "clarification")],
        )
    ],
    "clarification of 'it'",
)
a(
    "a23",
    "Interior Minister Pavel Dunaj spoke after the arrests.\n"
    '"These [criminal] networks have been smuggling fuel for years," Dunaj said, "and we [the police] will stop them."\n',
    [
        Q(
            "These [criminal] networks have been smuggling fuel for years,",
            "Pavel Dunaj",
            ins=[("[criminal]", "editorial")],
        ),
        Q("and we [the police] will stop them.", "Pavel Dunaj", ins=[("[the police]", "clarification")]),
    ],
    "both kinds in one split quote",
)
a(
    "a24",
    "Lutsen's envoy Mira Zelen answered the Estravian note.\n"
    '"He [President Sorn] knows our position," Zelen said. "The (illegitimate) authorities in Dravno do not."\n',
    [
        Q(
            "He [President Sorn] knows our position,",
            "Mira Zelen",
            ins=[("[President Sorn]", "clarification")],
        ),
        Q(
            "The (illegitimate) authorities in Dravno do not.",
            "Mira Zelen",
            ins=[("(illegitimate)", "editorial")],
        ),
    ],
    "clarification naming a person; editorial adjective in the continuation",
)
# ------------------------------------- nearest names, places and no-cue quotes
a(
    "a25",
    "Deputy Minister Jana Holub visited Ostra and Dorn this week.\n"
    '"The bridges will be rebuilt before winter," Holub said.\n'
    "In Velmora, the reaction was cautious.\n"
    '"We have heard such promises before."\n',
    [
        Q("The bridges will be rebuilt before winter,", "Jana Holub"),
        Q("We have heard such promises before.", None),
    ],
    "a no-cue quote after a country is named: no speaker, not the country",
)
a(
    "a26",
    "Compact envoy Ruth Berg has spoken for the alliance since March.\n"
    '"The ceasefire holds," Berg said on Monday.\n'
    "Shelling was reported near Halden overnight.\n"
    '"Isolated violations do not change the picture."\n',
    [
        Q("The ceasefire holds,", "Ruth Berg"),
        Q("Isolated violations do not change the picture.", "Ruth Berg"),
    ],
    "no-cue quote: the article's established speaker, not the city in between",
)
a(
    "a27",
    "Refugees crossed from Lutsen into Estravia at Ostra all night.\n"
    '"We left with nothing but the children."\n',
    [Q("We left with nothing but the children.", None)],
    "no-cue quote with only places named: no speaker",
)
a(
    "a28",
    "Velmora and Estravia exchanged notes over the weekend.\n"
    '"The shipment will arrive on Tuesday," a port official told reporters in Dorn.\n',
    [Q("The shipment will arrive on Tuesday,", None)],
    "unnamed speaker with places around: no speaker",
)
a(
    "a29",
    "Energy Minister Tereza Vlk announced the new tariffs in Halden.\n"
    '"Prices will rise by four percent," Vlk said. Estravia imports most of its gas from Lutsen.\n'
    '"This is not a political decision."\n',
    [
        Q("Prices will rise by four percent,", "Tereza Vlk"),
        Q("This is not a political decision.", "Tereza Vlk"),
    ],
    "no-cue quote after countries named: the established speaker",
)
a(
    "a30",
    "In Dorn, the Velmoran embassy was closed on Friday.\n"
    'Members of a so-called "people\'s militia" stood outside the gate.\n',
    [Q("people's militia", None, kind="scare")],
    "scare quote with only places around (no speaker)",
)
# ------------------------------------------------------------- non-English
a(
    "a31",
    "Die Agentur Velpress meldete am Montag neue Gefechte bei Ostra.\n"
    "\u201eWir haben die Stellung gehalten\u201c, sagte Oberst Jakob Reiter der Agentur.\n",
    [Q("Wir haben die Stellung gehalten", "Jakob Reiter")],
    "German: an agency named before the quoted officer",
    language="de",
)
a(
    "a32",
    "Hunderte Anwohner versammelten sich am Sonntag vor dem Rathaus in Dorn.\n"
    "\u201eDas Wasser ist seit drei Tagen abgestellt\u201c, sagte B\u00fcrgermeisterin Klara Voss.\n",
    [Q("Das Wasser ist seit drei Tagen abgestellt", "Klara Voss")],
    "German: 'Hunderte Anwohner' is not a speaker",
    language="de",
)
a(
    "a33",
    "Le ministre des Affaires \u00e9trang\u00e8res, Irena Vasko, est arriv\u00e9e \u00e0 Dorn mardi.\n"
    "\u00ab Nous ne signerons pas ce texte \u00bb, a d\u00e9clar\u00e9 Irena Vasko.\n",
    [Q("Nous ne signerons pas ce texte", "Irena Vasko")],
    "French guillemets with inner spaces: the quote starts at the first word",
    language="fr",
)
a(
    "a34",
    "L'agence Estrapress a cit\u00e9 le porte-parole Marc Delorme.\n"
    "\u00ab Les n\u00e9gociations reprendront lundi \u00bb, a dit Marc Delorme \u00e0 l'agence.\n",
    [Q("Les n\u00e9gociations reprendront lundi", "Marc Delorme")],
    "French: the agency is not the speaker",
    language="fr",
)
a(
    "a35",
    "Il portavoce del governo, Luca Ferri, ha parlato luned\u00ec a Halden.\n"
    "\u00abLa frontiera resta aperta\u00bb, ha detto Ferri.\n",
    [Q("La frontiera resta aperta", "Luca Ferri")],
    "Italian guillemets without spaces",
    language="it",
)
a(
    "a36",
    "Die Regierung in Velmora wies die Vorw\u00fcrfe zur\u00fcck.\n"
    "\u201eDiese Berichte sind falsch\u201c, hie\u00df es in einer Erkl\u00e4rung.\n",
    [Q("Diese Berichte sind falsch", None)],
    "German: a statement with no named speaker",
    language="de",
)
# ---------------------------------------------------------- mixed hard cases
a(
    "a37",
    "Estravia's Foreign Ministry spokeswoman Lidia Moravec (LM below) rejected the Velmoran note.\n"
    '"The note is a provocation," LM said. "They [the Velmoran side] know it."\n'
    "Velmora did not respond on Friday.\n"
    '"We will answer at the council," LM said.\n',
    [
        Q("The note is a provocation,", "Lidia Moravec"),
        Q(
            "They [the Velmoran side] know it.",
            "Lidia Moravec",
            ins=[("[the Velmoran side]", "clarification")],
        ),
        Q("We will answer at the council,", "Lidia Moravec"),
    ],
    "alias below; continuation with a clarification; a country in between",
)
a(
    "a38",
    "Compact Secretary General Anders Holm and Velmoran President Mikael Sorn met in Dorn.\n"
    '"Our alliance is defensive," Holm said. Sorn nodded.\n'
    '"But we will defend every metre," Sorn said, "of allied ground."\n',
    [
        Q("Our alliance is defensive,", "Anders Holm"),
        Q("But we will defend every metre,", "Mikael Sorn"),
        Q("of allied ground.", "Mikael Sorn"),
    ],
    "two titled speakers; a split quote by the second",
)
a(
    "a39",
    "Opposition newspaper Velmora Today published the letter of activist Dana Ruzicka on Sunday.\n"
    '"I was held for nine days without a lawyer," Ruzicka wrote.\n',
    [Q("I was held for nine days without a lawyer,", "Dana Ruzicka")],
    "an outlet named before the writer: the writer is the speaker",
)
a(
    "a40",
    "The spokesman of the Estravian Railways, Filip Dusek, said trains to Ostra would resume.\n"
    '"The line was repaired overnight," Dusek said. "The (sabotaged) section is under guard."\n',
    [
        Q("The line was repaired overnight,", "Filip Dusek"),
        Q("The (sabotaged) section is under guard.", "Filip Dusek", ins=[("(sabotaged)", "editorial")]),
    ],
    "role noun 'the spokesman of X, Name'; an editorial insertion in the continuation",
)

# ========================================================== set B (final only)
b(
    "b01",
    "Lutsen's Agriculture Ministry spokesman Daniel Kopp (DK below) commented on the harvest.\n"
    '"The harvest is the best in ten years," DK said.\n',
    [Q("The harvest is the best in ten years,", "Daniel Kopp")],
    "ministry + role before the name; 'below' alias",
)
b(
    "b02",
    "\u201cWe expect the first trains on Monday,\u201d Velmoran Transport Ministry spokeswoman Alma Sedlak said.\n",
    [Q("We expect the first trains on Monday,", "Alma Sedlak")],
    "role noun phrase before the name, after the quote",
)
b(
    "b03",
    "The Dorn Chamber of Commerce (hereafter the Chamber) welcomed the deal.\n"
    '"Our exporters have waited two years for this," the Chamber said.\n',
    [Q("Our exporters have waited two years for this,", "Dorn Chamber of Commerce")],
    "'hereafter the' organisation alias",
)
b(
    "b04",
    '"The talks were difficult," Foreign Minister Irena Vasko said, "but they were honest."\n',
    [Q("The talks were difficult,", "Irena Vasko"), Q("but they were honest.", "Irena Vasko")],
    "split quote",
)
b(
    "b05",
    "Velmoran President Mikael Sorn visited the front on Friday.\n"
    "\u201cWe will hold Ostra,\u201d he said, \u201cwhatever they [the enemy] throw at us.\u201d\n",
    [
        Q("We will hold Ostra,", "Mikael Sorn"),
        Q("whatever they [the enemy] throw at us.", "Mikael Sorn", ins=[("[the enemy]", "clarification")]),
    ],
    "split quote with a pronoun cue and a clarification",
)
b(
    "b06",
    "Interior Minister Pavel Dunaj spoke on state television.\n"
    '"The (Western-funded) organisations will have to register," Dunaj said.\n',
    [
        Q(
            "The (Western-funded) organisations will have to register,",
            "Pavel Dunaj",
            ins=[("(Western-funded)", "editorial")],
        )
    ],
    "editorial parenthesis",
)
b(
    "b07",
    "General Ivo Marek briefed the press in Halden.\n"
    '"The [so-called] volunteers are regular troops," Marek said.\n',
    [Q("The [so-called] volunteers are regular troops,", "Ivo Marek", ins=[("[so-called]", "editorial")])],
    "'[so-called]' inserted: editorial",
)
b(
    "b08",
    'Compact spokeswoman Nora Hals took questions.\n"They [the members] agreed unanimously," Hals said.\n',
    [Q("They [the members] agreed unanimously,", "Nora Hals", ins=[("[the members]", "clarification")])],
    "clarification of a pronoun",
)
b(
    "b09",
    "Energy Minister Tereza Vlk spoke in Dorn on Monday.\n"
    '"Reserves will last the winter," Vlk said.\n'
    "Velmora and Lutsen buy most of their power from Estravia.\n"
    '"Nobody will be left in the cold."\n',
    [Q("Reserves will last the winter,", "Tereza Vlk"), Q("Nobody will be left in the cold.", "Tereza Vlk")],
    "no-cue quote after countries: the established speaker",
)
b(
    "b10",
    'Heavy rain flooded the lower town of Halden on Tuesday night.\n"The river rose a metre in an hour."\n',
    [Q("The river rose a metre in an hour.", None)],
    "no-cue quote with only a place named: no speaker",
)
b(
    "b11",
    "Colonel Rada Fiala, referred to below as RF, leads the mine-clearing teams.\n"
    '"Every field takes a month," RF said.\n',
    [Q("Every field takes a month,", "Rada Fiala")],
    "'referred to below as' alias",
)
b(
    "b12",
    "Am Dienstag demonstrierten Hunderte Studenten in Halden.\n"
    "\u201eWir wollen freie Wahlen\u201c, sagte die Studentin Lena Wirth.\n",
    [Q("Wir wollen freie Wahlen", "Lena Wirth")],
    "German: a crowd is not a speaker",
    language="de",
)
b(
    "b13",
    "Le porte-parole de l'arm\u00e9e, Paul Garnier, s'est exprim\u00e9 jeudi.\n"
    "\u00ab La situation est sous contr\u00f4le \u00bb, a affirm\u00e9 Paul Garnier.\n",
    [Q("La situation est sous contr\u00f4le", "Paul Garnier")],
    "French guillemets with inner spaces",
    language="fr",
)
b(
    "b14",
    "Estravia's Finance Ministry spokeswoman Olga Brych (OB below) presented the budget.\n"
    '"The deficit will fall," OB said. "Pensions will not."\n',
    [Q("The deficit will fall,", "Olga Brych"), Q("Pensions will not.", "Olga Brych")],
    "'below' alias with a continuation",
)
b(
    "b15",
    "The Velmoran news agency Velpress quoted Deputy Defence Minister Igor Sala.\n"
    '"Our air defence shot down four drones," Sala said.\n',
    [Q("Our air defence shot down four drones,", "Igor Sala")],
    "agency before the official",
)


def _write(name: str, items: list[tuple[str, str, list[Q], str]]) -> None:
    records = build(items)
    for rec in records:
        if rec["id"] in LANGUAGE:
            rec["language"] = LANGUAGE[rec["id"]]
    path = HERE / name
    with path.open("w", encoding="utf-8") as fh:
        for rec in records:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    n_quotes = sum(len(r["quotes"]) for r in records)
    n_ins = sum(len(q["insertions"]) for r in records for q in r["quotes"])
    print(f"wrote {len(records)} items, {n_quotes} quotes, {n_ins} insertions to {path}")


def main() -> None:
    _write("set_a.jsonl", SET_A)
    _write("set_b.jsonl", SET_B)


if __name__ == "__main__":
    main()
