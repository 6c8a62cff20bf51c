"""Generated English sentences for the NLP lesson, standing in for tweets and PubMed abstracts.

``make_sentences`` is a sentiment task built so that WORD ORDER matters. Half the sentences
(by default) come from "mirrored" templates, where swapping two words flips the label while
the bag of words stays the same::

    "the film was great, not boring"        -> positive
    "the film was boring, not great"        -> negative
    "our team beat their team"              -> positive
    "their team beat our team"              -> negative

A bag-of-words model (one-hot counts, TF-IDF + naive Bayes, an Embedding averaged by
GlobalAveragePooling1D) cannot beat a coin toss on these, so it tops out near 75%; a model
that reads the words in order (Conv1D, LSTM, GRU) can reach 100%, because every sentence's
label follows from its word sequence. The other half are plain sentences ("what a dreadful
meal") any model gets right, plus "not + adjective" sentences that a *linear* bag-of-words
model cannot fit but a non-linear one can.

``make_tweets`` is the course's "is this tweet about a real disaster?" task (Kaggle's
disaster tweets) built the same way: half the tweets (by default) are mirrored pairs whose two
orders hold the same words and opposite labels ("flood in leeds , not a drill" is a disaster,
"a drill , not flood in leeds" is not), the rest are plain tweets, real ("wildfire spreading near
our school") or figurative ("this new song is fire").

``make_abstracts`` is the optional 5-class "which role does this sentence play in an
abstract" task (the course's PubMed 200k RCT / SkimLit notebook), with line-number features.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "TWEET_CLASS_NAMES",
    "make_tweets",
    "SENTENCE_CLASS_NAMES",
    "ABSTRACT_CLASS_NAMES",
    "sentence_class_names",
    "make_sentences",
    "make_abstracts",
]

SENTENCE_CLASS_NAMES = ["negative", "positive"]
# Alphabetical, as the course's LabelEncoder orders the PubMed labels.
ABSTRACT_CLASS_NAMES = ["BACKGROUND", "CONCLUSIONS", "METHODS", "OBJECTIVE", "RESULTS"]

_NOUNS = ["movie", "film", "meal", "service", "hotel", "book", "game", "show", "song", "trip", "pizza", "concert"]
_POSITIVE = ["good", "great", "excellent", "wonderful", "amazing", "fantastic", "lovely", "brilliant"]
_NEGATIVE = ["bad", "terrible", "awful", "boring", "poor", "horrible", "dreadful", "disappointing"]
_LIKE = ["loved", "liked", "enjoyed", "adored"]
_DISLIKE = ["hated", "disliked", "regretted", "resented"]
_WIN = ["beat", "defeated", "crushed", "outplayed"]

# Mirrored templates: {a} holds an adjective of the label's sentiment, {b} the opposite one,
# so the positive and negative versions of a sentence contain exactly the same words.
_MIRRORED = [
    "the {noun} was {a}, not {b}",
    "i expected the {noun} to be {b} but it was {a}",
    "the {noun} was not {b}, it was {a}",
    "the {noun} started {b} and ended {a}",
]

# Plain templates: the words alone decide the label ({a} as above; {like} is loved/hated...).
_PLAIN = [
    "the {noun} was {a}",
    "what {article} {a} {noun}",
    "i {like} this {noun}",
    "the {noun} was not {b}",  # "not terrible" -> positive: needs "not" AND the adjective
]


def _pick(rng: np.random.Generator, words: list[str]) -> str:
    # Index a Python list (rng.choice would first convert it to an array: ~10x slower).
    return words[rng.integers(len(words))]


def _draw_labels(function: str, n_samples: int, seed: int, order_fraction: float):
    """The generator, the binary labels (balanced, shuffled) and which samples use the mirrored
    (order-dependent) templates, for make_sentences and make_tweets."""
    if n_samples < 1:
        raise ValueError(f"{function}: n_samples must be >= 1, got {n_samples}")
    if not 0.0 <= order_fraction <= 1.0:
        raise ValueError(f"{function}: order_fraction must be in [0, 1], got {order_fraction}")
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.arange(n_samples) % 2).astype(np.int32)
    mirrored = rng.random(n_samples) < order_fraction
    return rng, labels, mirrored


def sentence_class_names(num_classes: int = 2) -> list[str]:
    """Names of ``make_sentences``' classes; index = label (``['negative', 'positive']``)."""
    if num_classes != 2:
        raise ValueError(
            f"make_sentences has 2 classes (negative, positive), got num_classes={num_classes}; "
            "for the 5-class sentence-role task use make_abstracts"
        )
    return list(SENTENCE_CLASS_NAMES)


def make_sentences(
    n_samples: int = 2000, seed: int = 0, num_classes: int = 2, order_fraction: float = 0.5
) -> tuple[list[str], np.ndarray]:
    """Generate short lower-case review-like sentences with a positive/negative label.

    Args:
        n_samples: number of sentences.
        num_classes: must be 2 (see ``make_abstracts`` for a 5-class task).
        order_fraction: share of sentences from the mirrored, order-dependent templates. A
            bag-of-words model can reach at most about ``1 - order_fraction / 2`` accuracy.

    Returns:
        sentences: list of ``n_samples`` str (words separated by spaces, a comma in some).
        labels: ``(n_samples,)`` int32, 0 = negative, 1 = positive (balanced, shuffled);
            ``sentence_class_names()`` gives the names.
    """
    sentence_class_names(num_classes)  # validates num_classes
    rng, labels, mirrored = _draw_labels("make_sentences", n_samples, seed, order_fraction)
    sentences = []
    for label, is_mirrored in zip(labels, mirrored):
        same, other = (_POSITIVE, _NEGATIVE) if label == 1 else (_NEGATIVE, _POSITIVE)
        noun, a, b = _pick(rng, _NOUNS), _pick(rng, same), _pick(rng, other)
        if is_mirrored:
            # One mirrored template in five is about a match: who beat whom decides.
            if rng.random() < 0.2:
                ours, theirs = ("our", "their") if label == 1 else ("their", "our")
                sentences.append(f"{ours} team {_pick(rng, _WIN)} {theirs} team")
                continue
            template = _MIRRORED[rng.integers(len(_MIRRORED))]
        else:
            template = _PLAIN[rng.integers(len(_PLAIN))]
        like = _pick(rng, _LIKE if label == 1 else _DISLIKE)
        article = "an" if a[0] in "aeiou" else "a"
        sentences.append(template.format(noun=noun, a=a, b=b, like=like, article=article))
    return sentences, labels


# --------------------------------------------------------------------------- tweets

TWEET_CLASS_NAMES = ["not disaster", "disaster"]  # the course's target: 1 = about a real disaster

_HAZARDS = ["fire", "flood", "earthquake", "storm", "wildfire", "tornado", "landslide", "explosion", "hurricane"]
_PLACES = ["leeds", "the city", "downtown", "our street", "the harbour", "the valley", "the old town", "the station"]
_FIGURATIVE = [  # disaster words used figuratively: the course's "this song is fire" tweets
    "this new song is {hot}",
    "that {show} last night was {hot}",
    "my {show} playlist is {hot} right now",
    "the {show} finale was a total {wreck} lol",
    "my exam was a {wreck} but whatever",
    "i am {dead} this {show} is so funny",
]
_LITERAL = [  # plainly about a real disaster
    "{hazard} spreading near {place} , people evacuated",
    "{hazard} destroyed homes in {place} overnight",
    "emergency crews rescue families after {hazard} in {place}",
    "roads closed in {place} after the {hazard}",
    "death toll rises after {hazard} hits {place}",
]
_HOT = ["fire", "lit", "a bomb", "an explosion of fun"]
_SHOW = ["concert", "game", "party", "movie", "album"]
_WRECK = ["disaster", "train wreck", "catastrophe"]
_DEAD = ["dead", "dying", "screaming"]
# Mirrored pairs: (disaster version, not-disaster version), the same words in another order.
_MIRRORED_TWEETS = [
    ("{hazard} in {place} , not a drill", "a drill , not {hazard} in {place}"),
    ("the {hazard} is real , the movie is fake", "the movie is real , the {hazard} is fake"),
    ("they said it was a game but the {hazard} hit {place}", "they said the {hazard} hit {place} but it was a game"),
    ("no joke , a {hazard} just hit {place}", "a joke , no {hazard} just hit {place}"),
]


def make_tweets(n_samples: int = 2000, seed: int = 0, order_fraction: float = 0.5) -> tuple[list[str], np.ndarray]:
    """Generate short lower-case tweets, labelled 1 if about a real disaster, 0 if not.

    Args:
        n_samples: number of tweets.
        order_fraction: share of tweets from the mirrored templates, where only the word order tells
            the classes apart (a bag-of-words model is at chance on them).

    Returns:
        tweets: list of ``n_samples`` str (words separated by spaces; commas stand alone).
        labels: ``(n_samples,)`` int32, 1 = disaster, 0 = not (balanced, shuffled);
            ``TWEET_CLASS_NAMES`` gives the names.
    """
    rng, labels, mirrored = _draw_labels("make_tweets", n_samples, seed, order_fraction)
    tweets = []
    for label, is_mirrored in zip(labels, mirrored):
        slots = {"hazard": _pick(rng, _HAZARDS), "place": _pick(rng, _PLACES), "hot": _pick(rng, _HOT),
                 "show": _pick(rng, _SHOW), "wreck": _pick(rng, _WRECK), "dead": _pick(rng, _DEAD)}
        if is_mirrored:
            pair = _MIRRORED_TWEETS[rng.integers(len(_MIRRORED_TWEETS))]
            template = pair[0] if label == 1 else pair[1]
        else:
            templates = _LITERAL if label == 1 else _FIGURATIVE
            template = templates[rng.integers(len(templates))]
        tweets.append(template.format(**slots))
    return tweets, labels


# --------------------------------------------------------------------------- abstracts

_DRUGS = ["aspirin", "metformin", "vitamin d", "exercise training", "acupuncture", "statin therapy"]
_CONDITIONS = ["type 2 diabetes", "hypertension", "asthma", "depression", "chronic back pain", "obesity"]
_OUTCOMES = ["blood pressure", "pain scores", "hospital admissions", "body weight", "symptom severity", "mortality"]
_POPULATIONS = ["adults", "children", "older patients", "women", "outpatients"]

# Role -> templates. Some wording is shared across roles (a conclusion can restate a result),
# which is why the line-number features help, as in the course's SkimLit model.
_ROLE_TEMPLATES = {
    "BACKGROUND": [
        "{condition} is a common cause of poor health in {population}.",
        "little is known about the effect of {drug} on {outcome}.",
        "{condition} affects many {population} worldwide.",
    ],
    "OBJECTIVE": [
        "to assess whether {drug} reduces {outcome} in {population} with {condition}.",
        "we aimed to compare {drug} with placebo for {condition}.",
        "this study evaluated the effect of {drug} on {outcome}.",
    ],
    "METHODS": [
        "we randomly assigned {number} {population} to {drug} or placebo.",
        "the primary outcome was {outcome} at {weeks} weeks.",
        "{population} with {condition} were recruited from {centres} centres.",
        "{outcome} was measured at baseline and after {weeks} weeks.",
    ],
    "RESULTS": [
        "{drug} reduced {outcome} by {percent} percent compared with placebo.",
        "the effect of {drug} on {outcome} was seen within {weeks} weeks.",
        "a total of {number} {population} completed the study.",
        "adverse events were more common with {drug} than with placebo.",
    ],
    "CONCLUSIONS": [
        "{drug} reduced {outcome} in {population} with {condition}.",
        "{drug} may be a useful treatment for {condition}.",
        "further studies of {drug} in {population} are needed.",
    ],
}
# How many sentences of each role an abstract has (inclusive range), in reading order.
_ROLE_COUNTS = [("BACKGROUND", 1, 2), ("OBJECTIVE", 1, 1), ("METHODS", 2, 4), ("RESULTS", 2, 4), ("CONCLUSIONS", 1, 2)]


def make_abstracts(n_abstracts: int = 200, seed: int = 0) -> dict[str, object]:
    """Generate structured medical-trial abstracts, one row per sentence (5-class task).

    Each abstract has 7-13 distinct sentences in the order background, objective, methods, results,
    conclusions; each is labelled with its role. As in the course's SkimLit notebook, the
    position of a sentence (``line_numbers`` out of ``total_lines``) is a strong extra feature.

    Returns a dict with, for ``n`` sentences in all:
        ``"sentences"``: list of ``n`` str.
        ``"labels"``: ``(n,)`` int32 index into ``ABSTRACT_CLASS_NAMES``.
        ``"line_numbers"``: ``(n,)`` int32, 0-based position of the sentence in its abstract.
        ``"total_lines"``: ``(n,)`` int32, number of sentences in its abstract minus one
        (the course's convention).
        ``"abstract_ids"``: ``(n,)`` int32, which abstract the sentence belongs to (split by
        abstract, not by sentence, or the test set leaks).
    """
    if n_abstracts < 1:
        raise ValueError(f"make_abstracts: n_abstracts must be >= 1, got {n_abstracts}")
    rng = np.random.default_rng(seed)
    sentences: list[str] = []
    labels, line_numbers, total_lines, abstract_ids = [], [], [], []
    for abstract_id in range(n_abstracts):
        # One topic per abstract, so its sentences talk about the same drug and condition.
        slots = {
            "drug": _pick(rng, _DRUGS),
            "condition": _pick(rng, _CONDITIONS),
            "outcome": _pick(rng, _OUTCOMES),
            "population": _pick(rng, _POPULATIONS),
            "number": int(rng.integers(40, 2000)),
            "centres": int(rng.integers(2, 30)),
            "weeks": int(rng.choice([4, 8, 12, 24, 52])),
            "percent": int(rng.integers(5, 60)),
        }
        # Sentences of one role use distinct templates, so an abstract never repeats itself.
        chosen = []
        for role, lo, hi in _ROLE_COUNTS:
            templates = _ROLE_TEMPLATES[role]
            count = rng.integers(lo, hi + 1)
            chosen += [(role, templates[i]) for i in rng.choice(len(templates), size=count, replace=False)]
        for line, (role, template) in enumerate(chosen):
            sentences.append(template.format(**slots))
            labels.append(ABSTRACT_CLASS_NAMES.index(role))
            line_numbers.append(line)
            total_lines.append(len(chosen) - 1)
            abstract_ids.append(abstract_id)
    return {
        "sentences": sentences,
        "labels": np.array(labels, dtype=np.int32),
        "line_numbers": np.array(line_numbers, dtype=np.int32),
        "total_lines": np.array(total_lines, dtype=np.int32),
        "abstract_ids": np.array(abstract_ids, dtype=np.int32),
    }
