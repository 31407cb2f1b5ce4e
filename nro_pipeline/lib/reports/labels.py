"""Russian words for the coded values of the marts (SPEC §3, §3a), as officials expect to read them.

Kept here until the warehouse holds a label seed (branch `bi`); then they are read from it.
"""

from __future__ import annotations

CLUSTER_RU = {
    "resilient": "резильентная",
    "at_risk": "группа риска",
    "crisis": "кризисная",
    "stable": "стабильная",
}
RESULT_LEVEL_RU = {"high": "высокий", "medium": "средний", "low": "низкий"}
SOCIAL_STATUS_RU = {
    "unfavourable": "неблагоприятный (ШССУ)",
    "neutral": "нейтральный",
    "favourable": "благоприятный",
}
MATCH_TYPE_RU = {"horizontal": "горизонтальная", "vertical": "вертикальная"}
LOCALITY_RU = {"city": "город", "rural": "село"}
SUBJECT_RU = {"math": "математика", "rus": "русский язык"}
LIST_CONFIDENCE_RU = {
    "clear": "уверенно",
    "borderline": "на границе",
    "near_miss": "близко к списку",
}
LIST_STATUS_RU = {
    "new": "впервые",
    "continuing": "остаётся",
    "left": "вышла из списка",
    "none": "не в списке",
}
BENCHMARK_RU = {"below": "ниже похожих", "typical": "как у похожих", "above": "выше похожих"}
