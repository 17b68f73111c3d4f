"""The table of known data sets: where their files live upstream, their licenses and defaults.

Only locations and checksums are recorded here (from each set's SOURCE.md in
``../shared/data``); answers always come from the files themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from optiforge.errors import InputError


@dataclass(frozen=True)
class UpstreamFile:
    """One file of a data set: its name on disk and, when it may be downloaded, where from."""

    name: str
    repo: str = ""
    commit: str = ""
    path: str = ""
    sha256: str = ""
    size: int | None = None

    @property
    def fetchable(self) -> bool:
        """True when the file has a pinned upstream location and checksum."""
        return bool(self.repo and self.commit and self.path and self.sha256)


@dataclass(frozen=True)
class DatasetSpec:
    """What optiforge knows about one benchmark."""

    name: str
    title: str
    license: str
    default_rule: str
    items: int | None
    """Items in the upstream file (None where copies differ)."""
    files: tuple[UpstreamFile, ...]
    """The first file holds the data; the rest (licenses) are fetched alongside."""
    loader: str
    """Name of the record converter in ``_loaders``."""
    redistributable: bool = True
    """False where the license forbids shipping or downloading it for the user."""
    notes: str = ""
    alt_names: tuple[str, ...] = field(default_factory=tuple)
    """Other file names or folders accepted at a user-given path."""

    @property
    def data_file(self) -> UpstreamFile:
        """The file that holds the items."""
        return self.files[0]

    @property
    def fetchable(self) -> bool:
        """True when ``optiforge datasets fetch`` can download it."""
        return self.redistributable and self.data_file.fetchable


_RESOCRATIC = "yangzhch6/ReSocratic"
_RESOCRATIC_AT = "56a638f689abbfd67650121cd4fdbe044e69e86c"
_OPTMATH = "optsuite/OptMATH"
_OPTMATH_AT = "f15bbc4477c70db85ad148df8bcc1b780bca0f8c"
_MAMO = "FreedomIntelligence/Mamo"
_MAMO_AT = "2c91069dee5c1e4db4b899eb176ec987d0251bb3"
_NL4OPT_ORIG = "nl4opt/nl4opt-competition"
_NL4OPT_ORIG_AT = "49f1e0d66b7fdcd33305a7f281c2a7c13f5620ea"

# SHA-256 of the upstream LICENSE files, as copied next to the data in ../shared/data.
_APACHE_SHA = "c71d239df91726fc519c6eb72d318ec65820627232b2f796219e87dcf35d0ab4"
_CC_BY_SA_SHA = "187442db4df3afd21f2f0525739fd4beac28a62daaba3ee8d3533f60e7c33ec7"
_NL4OPT_MIT_SHA = "d8165362b50a26ccad4bc717c050c86db776b1c6d2ec40f288e416d0ecb62399"

_NL4OPT_MIT = UpstreamFile(
    "LICENSE-NL4Opt-original-MIT", _NL4OPT_ORIG, _NL4OPT_ORIG_AT, "LICENSE", _NL4OPT_MIT_SHA
)

SPECS: dict[str, DatasetSpec] = {
    s.name: s
    for s in (
        DatasetSpec(
            name="optibench",
            title="OptiBench (ReSocratic)",
            license="Apache-2.0",
            default_rule="abs_tol",
            items=605,
            files=(
                UpstreamFile(
                    "OptiBench.json",
                    _RESOCRATIC,
                    _RESOCRATIC_AT,
                    "data/OptiBench.json",
                    "0378fab2065e084563913340bc4cff6818a891dc06c5adc83452b40fbd18e85b",
                    610820,
                ),
                UpstreamFile("LICENSE", _RESOCRATIC, _RESOCRATIC_AT, "LICENSE", _APACHE_SHA),
            ),
            loader="results",
            notes="multi-value `results`; objective not always the last key; #423 corrupted",
        ),
        DatasetSpec(
            name="optmath_bench",
            title="OptMATH-Bench",
            license="Apache-2.0",
            default_rule="orlm",
            items=166,
            files=(
                UpstreamFile(
                    "OptMATH_Bench.json",
                    _OPTMATH,
                    _OPTMATH_AT,
                    "benchmark/OptMATH_Bench.json",
                    "c5dbc2bf14995b880d13e306ff54ae81b603f07b565a31e52248533848ad3a93",
                    499806,
                ),
                UpstreamFile("LICENSE", _OPTMATH, _OPTMATH_AT, "LICENSE", _APACHE_SHA),
            ),
            loader="en_qa",
            notes="long LP/MILP/NLP/SOCP problems; 9 golds are 0.0",
        ),
        DatasetSpec(
            name="nl4opt",
            title="NL4Opt test, 245-item version (ORLM/OptMATH)",
            license="Apache-2.0 as distributed by optsuite/OptMATH (cc-by-nc-4.0 on Hugging Face; texts MIT)",
            default_rule="orlm",
            items=245,
            files=(
                UpstreamFile(
                    "NL4OPT.json",
                    _OPTMATH,
                    _OPTMATH_AT,
                    "benchmark/NL4OPT.json",
                    "87bc1930251dfef551a7cb1d4c79889a0b0522f7a715b285257f0ed7598f95f0",
                    143217,
                ),
                UpstreamFile("LICENSE", _OPTMATH, _OPTMATH_AT, "LICENSE", _APACHE_SHA),
                _NL4OPT_MIT,
            ),
            loader="en_qa",
            notes="JSONL named .json; 17 'No Best Solution' golds",
        ),
        DatasetSpec(
            name="nl4opt_e",
            title="NL4OPT-E, full NL4Opt test split (ReSocratic)",
            license="Apache-2.0 (texts MIT)",
            default_rule="abs_tol",
            items=289,
            files=(
                UpstreamFile(
                    "NL4OPT-E.json",
                    _RESOCRATIC,
                    _RESOCRATIC_AT,
                    "data/NL4OPT-E.json",
                    "82eb3d6bc1ec8d573d9acc74707150e4b866741ac5a6d6fceed9ee581f3b5e99",
                    237824,
                ),
                UpstreamFile("LICENSE", _RESOCRATIC, _RESOCRATIC_AT, "LICENSE", _APACHE_SHA),
                _NL4OPT_MIT,
            ),
            loader="results",
            notes="multi-value `results`; objective first in #156",
        ),
        DatasetSpec(
            name="mamo_easy_lp",
            title="MAMO EasyLP",
            license="CC BY-SA 4.0",
            default_rule="mamo",
            items=652,
            files=(
                UpstreamFile(
                    "mamo_easy_lp.jsonl",
                    _MAMO,
                    _MAMO_AT,
                    "data/optimization/Easy_LP/mamo_easy_lp.jsonl",
                    "b37ae7d9fc0b8c39e172d070aed84e600549407886ef970083c0f6cadc2e60a6",
                    745936,
                ),
                UpstreamFile("LICENSE", _MAMO, _MAMO_AT, "LICENSE", _CC_BY_SA_SHA),
            ),
            loader="mamo",
            notes="~10% label noise (SIRL review)",
        ),
        DatasetSpec(
            name="mamo_complex_lp",
            title="MAMO ComplexLP",
            license="CC BY-SA 4.0",
            default_rule="mamo",
            items=211,
            files=(
                UpstreamFile(
                    "mamo_complex_lp.jsonl",
                    _MAMO,
                    _MAMO_AT,
                    "data/optimization/Complex_LP/mamo_complex_lp.jsonl",
                    "07eb3db3d2af099871dfa4425b14887775179c158c38944fe4fe152b615bbfc3",
                    387757,
                ),
                UpstreamFile("LICENSE", _MAMO, _MAMO_AT, "LICENSE", _CC_BY_SA_SHA),
            ),
            loader="mamo",
            notes="~20% label noise (SIRL review); id 208 answer has a leading space",
        ),
        DatasetSpec(
            name="industryor",
            title="IndustryOR",
            license="cc-by-nc-4.0",
            default_rule="orlm",
            items=100,
            files=(UpstreamFile("IndustryOR.json"),),
            loader="auto_qa",
            redistributable=False,
            notes="HF CardinalOperations/IndustryOR: JSONL with en_question/en_answer/difficulty/id; >=54% label errors (LLM4OR survey)",
            alt_names=(
                "IndustryOR.jsonl",
                "industryor.jsonl",
                "IndustryOR_fixedV2.json",
                "IndustryOR_fixed.json",
            ),
        ),
        DatasetSpec(
            name="nlp4lp",
            title="NLP4LP (OptiMUS)",
            license="CC BY-NC 4.0",
            default_rule="rel_1e4",
            items=None,
            files=(UpstreamFile("nlp4lp.jsonl"),),
            loader="auto_qa",
            redistributable=False,
            notes="LLMOPT testset layout: question/answer/ori/index (242 items)",
            alt_names=("NLP4LP.jsonl", "nlp4lp.json"),
        ),
        DatasetSpec(
            name="complexor",
            title="ComplexOR (Chain-of-Experts)",
            license="none stated",
            default_rule="rel_1e4",
            items=None,
            files=(UpstreamFile("ComplexOR"),),
            loader="complexor",
            redistributable=False,
            notes="Chain-of-Experts dataset/ComplexOR/<problem>/{description.txt,sample.json}, or LLMOPT complexor.jsonl",
            alt_names=("complexor.jsonl", "ComplexOR.jsonl"),
        ),
    )
}


def get_spec(name: str) -> DatasetSpec:
    """The spec called ``name`` (case-insensitive, ``-`` = ``_``); InputError listing names otherwise."""
    key = name.strip().lower().replace("-", "_")
    try:
        return SPECS[key]
    except KeyError:
        raise InputError(f"unknown data set {name!r}; known: {', '.join(SPECS)}") from None
