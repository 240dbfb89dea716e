"""Build ``cases.jsonl``: 20 headline and entity cases written for issue 22.

    python tests/data/entities/make_cases.py

Each case is a short invented article whose first line is its headline
(read with ``title_line=True``). ``expect`` lists ``[name, label]`` pairs an
entity must have (its name or one of its aliases, compared with
``name_key``); ``absent`` names no entity may carry (headline words, story
fragments); ``same`` pairs of names one entity must hold together;
``apart`` pairs that must stay in different entities. Scored by
``benchmarks/entities_eval.py``; ``tests/test_entities.py`` holds a floor.

The set was written and scored once (``benchmarks/results/entities-cases-blind.json``)
before any change to the entity code.
"""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
CASES: list[dict] = []


def case(id_: str, text: str, *, expect=(), absent=(), same=(), apart=(), notes: str = "") -> None:
    CASES.append(
        {
            "id": id_,
            "text": text.strip(),
            "expect": [list(x) for x in expect],
            "absent": list(absent),
            "same": [list(x) for x in same],
            "apart": [list(x) for x in apart],
            "notes": notes,
        }
    )


case(
    "e01",
    "Aggressor Escalates The Situation On The Border\n\n"
    "Velmoran troops moved closer to the Estravian border on Monday, the defence ministry in Dorn said.\n\n"
    "Colonel Tomas Brandt said the brigade was on alert.",
    expect=[("Tomas Brandt", "PERSON"), ("Dorn", "GPE")],
    absent=["Aggressor", "Situation", "Border"],
    notes="title-case headline words are not entities",
)
case(
    "e02",
    "Compact Leaders Agree New Deal With Kazakhstan On Other Issues\n\n"
    "Leaders of the Northern Defence Compact met in Halden on Friday and agreed a transit deal with Kazakhstan.\n\n"
    "Secretary General Anders Holm said other issues would wait until spring.",
    expect=[("Kazakhstan", "GPE"), ("Anders Holm", "PERSON"), ("Northern Defence Compact", "ORG")],
    absent=["With Kazakhstan", "Other Issues", "Compact Leaders", "New Deal"],
    notes="headline fragments",
)
case(
    "e03",
    "Estravian Minister Posts Video On YouTube\n\n"
    "Foreign Minister Irena Vasko posted a video on YouTube on Tuesday in which she accused Velmora of lying.\n\n"
    "The clip was also shared on Telegram and watched by thousands.",
    expect=[("Irena Vasko", "PERSON"), ("YouTube", "ORG"), ("Telegram", "ORG"), ("Velmora", "GPE")],
    absent=["Estravian Minister Posts Video"],
    notes="platforms are organisations, not places",
)
case(
    "e04",
    "Ministry Denies Report\n\n"
    "The Halden Herald reported on Monday that the port of Ostra had been mined.\n\n"
    "The Herald cited two officials. Interior Minister Pavel Dunaj called the report false.",
    expect=[("Halden Herald", "ORG"), ("Pavel Dunaj", "PERSON"), ("Ostra", "GPE")],
    absent=["Ministry Denies Report"],
    apart=[("Halden Herald", "Pavel Dunaj")],
    notes="an outlet is an organisation",
)
case(
    "e05",
    "Velmora Rejects Sorn Ultimatum\n\n"
    "Velmora rejected on Sunday an ultimatum from Lutsen's president, Mikael Sorn.\n\n"
    "Sorn had given Velmora three days to withdraw its troops.",
    expect=[("Velmora", "GPE"), ("Mikael Sorn", "PERSON")],
    apart=[("Velmora", "Mikael Sorn")],
    absent=["Velmora Rejects Sorn Ultimatum", "Sorn Ultimatum"],
    notes="a country and a person stay apart",
)
case(
    "e06",
    "Estravia's Foreign Ministry spokeswoman Lidia Moravec (LM below) said on Thursday that the convoy was stopped.\n\n"
    "LM said the observers had been informed. LM added that talks would continue.\n\n"
    "Velmora did not comment.",
    expect=[("Lidia Moravec", "PERSON"), ("Estravia", "GPE")],
    same=[("Lidia Moravec", "LM")],
    notes="an alias defined with 'below' merges with the full name",
)
case(
    "e07",
    "Border Talks Resume\n\n"
    "Colonel Rada Fiala, hereafter RF, opened the talks in Ostra. RF said both sides had agreed an agenda.",
    expect=[("Rada Fiala", "PERSON")],
    same=[("Rada Fiala", "RF")],
    absent=["Border Talks Resume"],
    notes="'hereafter' alias",
)
case(
    "e08",
    "War Of Words\n\n"
    "The Estravian Election Commission (EEC) rejected the opposition's complaint. The EEC said the count was fair.",
    expect=[("Estravian Election Commission", "ORG")],
    same=[("Estravian Election Commission", "EEC")],
    absent=["War Of Words", "Words"],
    notes="acronym alias; a headline idiom",
)
case(
    "e09",
    "Operation II Begins In The South\n\n"
    "The Velmoran army began a second phase of its operation near Halden on Wednesday.\n\n"
    "General Ivo Marek said the phase would last weeks.",
    expect=[("Ivo Marek", "PERSON"), ("Halden", "GPE")],
    absent=["II", "Operation II", "South"],
    notes="roman numerals and headline words",
)
case(
    "e10",
    "Residents Flee As Fighting Nears Ostra\n\n"
    "Hundreds of residents left Ostra on Thursday as fighting moved closer to the town.\n\n"
    "Mayor Jana Holub asked for buses from Dorn.",
    expect=[("Ostra", "GPE"), ("Jana Holub", "PERSON"), ("Dorn", "GPE")],
    absent=["Residents Flee", "Fighting Nears Ostra", "Fighting"],
    notes="a real name inside a title-case headline still counts; the other words do not",
)
case(
    "e11",
    "Opposition Leader Detained\n\n"
    "Police in Dorn detained opposition leader Sara Novak on Friday.\n\n"
    "Novak's lawyer said she was held without charge. Velmora Today first reported the arrest.",
    expect=[("Sara Novak", "PERSON"), ("Velmora Today", "ORG")],
    absent=["Opposition Leader Detained", "Opposition Leader"],
    apart=[("Sara Novak", "Velmora Today")],
    notes="an outlet named after a country is an organisation",
)
case(
    "e12",
    "NATO-Style Alliance Holds Drills\n\n"
    "The Northern Defence Compact (NDC) held drills near Halden. NDC Secretary General Anders Holm watched from a ship.",
    expect=[("Northern Defence Compact", "ORG"), ("Anders Holm", "PERSON")],
    same=[("Northern Defence Compact", "NDC")],
    apart=[("NDC", "Anders Holm")],
    notes="an acronym before a title and a name",
)
case(
    "e13",
    "Lutsen And Velmora Trade Accusations\n\n"
    "Lutsen accused Velmora on Monday of shelling a village. Velmora said Lutsen had staged the attack.",
    expect=[("Lutsen", "GPE"), ("Velmora", "GPE")],
    apart=[("Lutsen", "Velmora")],
    absent=["Trade Accusations", "Lutsen And Velmora"],
    notes="two countries in a headline stay two entities",
)
case(
    "e14",
    "Estravian Railways Resumes Service\n\n"
    "Estravian Railways said on Tuesday that trains to Ostra would run again. Spokesman Filip Dusek said the line was repaired.",
    expect=[("Estravian Railways", "ORG"), ("Filip Dusek", "PERSON")],
    absent=["Resumes Service", "Service"],
    notes="a company in a headline",
)
case(
    "e15",
    "Vasko: We Will Not Sign\n\n"
    "Foreign Minister Irena Vasko said on Friday that Estravia would not sign the draft. Vasko spoke in Dorn.",
    expect=[("Irena Vasko", "PERSON"), ("Estravia", "GPE")],
    same=[("Irena Vasko", "Vasko")],
    absent=["We Will Not Sign"],
    notes="surname in a headline merges with the full name",
)
case(
    "e16",
    "Report Cites Human Rights Violations\n\n"
    "The Halden Institute published a report on Monday listing abuses in the eastern districts.\n\n"
    "Its director, Dana Ruzicka, said the evidence came from 40 witnesses.",
    expect=[("Halden Institute", "ORG"), ("Dana Ruzicka", "PERSON")],
    absent=["Human Rights Violations", "Report Cites Human Rights Violations"],
    notes="headline noun phrase",
)
case(
    "e17",
    "Sorn Meets Holm In Dorn\n\n"
    "Velmoran President Mikael Sorn met Anders Holm, the Compact's secretary general, in Dorn on Sunday.",
    expect=[("Mikael Sorn", "PERSON"), ("Anders Holm", "PERSON"), ("Dorn", "GPE")],
    same=[("Mikael Sorn", "Sorn"), ("Anders Holm", "Holm")],
    apart=[("Mikael Sorn", "Anders Holm")],
    notes="surnames in the headline merge with the full names",
)
case(
    "e18",
    "The Truth About The Aggressor\n\n"
    "State television in Velmora aired a film on Sunday about the war. Presenter Oskar Brun called Estravia the aggressor.",
    expect=[("Velmora", "GPE"), ("Oskar Brun", "PERSON"), ("Estravia", "GPE")],
    absent=["Aggressor", "Truth", "The Truth About The Aggressor"],
    notes="abstract headline words",
)
case(
    "e19",
    "Grain Ships Leave Ostra\n\n"
    "Three grain ships left the port of Ostra on Monday, the Velmoran Grain Traders Association said.\n\n"
    "The association's head, Karel Dvorak, thanked the Estravian navy.",
    expect=[("Ostra", "GPE"), ("Velmoran Grain Traders Association", "ORG"), ("Karel Dvorak", "PERSON")],
    absent=["Grain Ships", "Grain Ships Leave Ostra"],
    notes="headline noun phrase; a long organisation name",
)
case(
    "e20",
    "Facebook Removes Velmoran Network\n\n"
    "Facebook said on Thursday it had removed 300 accounts run from Velmora.\n\n"
    "The accounts posed as Estravian news sites, the company's security chief Nina Ost said.",
    expect=[("Facebook", "ORG"), ("Velmora", "GPE"), ("Nina Ost", "PERSON")],
    absent=["Velmoran Network"],
    notes="a platform in a headline",
)


def main() -> None:
    path = HERE / "cases.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for c in CASES:
            fh.write(json.dumps(c, ensure_ascii=False) + "\n")
    print(f"wrote {len(CASES)} cases to {path}")


if __name__ == "__main__":
    main()
