"""The chooser's questions, and how their answers become catalogue filters.

The page at `/choose` asks them in the tutorials' order (the task; outliers; class imbalance; what the model
outputs, embeddings among them) and asks `GET /v1/losses` for the losses that match the filters the answers
name, so the recommendation is the catalogue's own data: each loss's task and traits, its `use_when` as the
reason. This module is the one place that maps answers to filters: the template renders each option's
filters from it, the page's script only merges the filters of the options chosen, and the tests run
`filters` against the catalogue for each of the tutorials' cases.

Which questions a task gets follows the catalogue too: the outlier question appears for a task with losses
that differ in `robust_to_outliers`, the imbalance question for one whose losses differ in `handles_imbalance`,
and the output question lists only the input kinds the task's losses take (hidden when there is one).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..catalogue.spec import Loss

# The task question's wording for each catalogue task, in the order the tutorials teach them.
TASKS: dict[str, str] = {
    "regression": "Predict a number (regression)",
    "classification": "Pick a class, or yes/no for each label (classification)",
    "probabilistic": "Predict counts, a distribution, or a value with its uncertainty",
    "ranking": "Rank items from pairwise preferences",
    "embedding": "Learn embeddings: similar pairs or triplets close, others apart",
    "sequence": "Output a label sequence without a known alignment (speech, OCR)",
    "segmentation": "Segment images into masks",
}
INPUT_KINDS: dict[str, str] = {
    "values": "Plain values in the target's units (a number, a rate, a mean)",
    "logits": "Raw logits: no softmax or sigmoid at the end",
    "probabilities": "Probabilities: after a sigmoid or softmax",
    "log_probabilities": "Log-probabilities: after log_softmax",
    "scores": "Unbounded scores, with ±1 labels or a margin",
    "embeddings": "Embedding vectors",
}
UNSURE = "unsure"


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    filters: Mapping[str, str]  # query parameters of GET /v1/losses
    tasks: tuple[str, ...] | None = None  # the tasks that offer it (None: every task that asks the question)


@dataclass(frozen=True)
class Question:
    name: str
    text: str
    options: tuple[Option, ...]
    tasks: tuple[str, ...]  # the tasks that ask it ("task" itself: every task)
    hint: str = ""

    def option(self, value: str) -> Option:
        for o in self.options:
            if o.value == value:
                return o
        raise ValueError(f"{self.name}: no option {value!r}; options are {[o.value for o in self.options]}")


def questions(catalogue: Iterable[Loss]) -> list[Question]:
    """The chooser's questions, in the order asked, each with the tasks that ask it."""
    losses = list(catalogue)
    tasks = [t for t in TASKS if any(loss.task == t for loss in losses)]
    tasks += sorted({loss.task for loss in losses} - set(tasks))  # a plugin's task, should one appear

    def of(task: str) -> list[Loss]:
        return [loss for loss in losses if loss.task == task]

    robust = tuple(t for t in tasks if len({loss.traits.robust_to_outliers for loss in of(t)}) > 1)
    imbalance = tuple(t for t in tasks if len({loss.traits.handles_imbalance for loss in of(t)}) > 1)
    kinds = {t: {loss.traits.input_kind for loss in of(t)} for t in tasks}
    output = tuple(t for t in tasks if len(kinds[t]) > 1)
    unsure = Option(UNSURE, "Not sure", {})
    return [
        Question(
            "task",
            "What is the task?",
            tuple(Option(t, TASKS.get(t, t.capitalize()), {"task": t}) for t in tasks),
            tuple(tasks),
        ),
        Question(
            "outliers",
            "Are there outliers in the targets?",
            (
                Option("yes", "Yes: a few large errors should not dominate", {"robust_to_outliers": "true"}),
                Option("no", "No: the data are well-behaved, and a tight fit matters", {"robust_to_outliers": "false"}),
                unsure,
            ),
            robust,
            "Outliers or noisy labels pull a squared loss towards them.",
        ),
        Question(
            "imbalance",
            "Are the classes imbalanced?",
            (
                Option("yes", "Yes: some classes are rare", {"handles_imbalance": "true"}),
                # every loss serves balanced data: no answers narrows nothing
                Option("no", "No: roughly balanced", {}),
                unsure,
            ),
            imbalance,
            "A class weight, pos_weight or focusing term keeps rare classes from being ignored.",
        ),
        Question(
            "output",
            "What does the model output?",
            tuple(
                Option(k, INPUT_KINDS.get(k, k), {"input_kind": k}, tuple(t for t in tasks if k in kinds[t]))
                for k in [*INPUT_KINDS, *sorted(set().union(*kinds.values()) - set(INPUT_KINDS))]
            )
            + (unsure,),
            output,
            "The loss must match the model's last layer.",
        ),
    ]


def filters(catalogue: Iterable[Loss], answers: Mapping[str, str]) -> dict[str, str]:
    """The query of `GET /v1/losses` for these answers: the filters of each answered question the task asks.

    The page's script does the same with the filters the template rendered from `questions`.
    """
    losses = list(catalogue)
    asked = questions(losses)
    task = answers.get("task")
    if task is None:
        raise ValueError("answer the task question first")
    out: dict[str, str] = {}
    for q in asked:
        if q.name in answers and task in q.tasks:
            option = q.option(answers[q.name])
            if option.tasks is not None and task not in option.tasks:
                raise ValueError(f"{q.name}: {option.value!r} is not offered for {task}")
            out.update(option.filters)
    return out
