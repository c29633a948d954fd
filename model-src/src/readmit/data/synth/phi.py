"""Fake but realistic-looking PHI, so that de-identification has something to remove.

Names carry a numeric suffix like Synthea's ("Garcia412"), which keeps every fake identifier
distinctive enough for byte-scanning tests to find it if it ever leaked.
"""

from __future__ import annotations

import numpy as np

GIVEN_F = [
    "Maria",
    "Linda",
    "Patricia",
    "Susan",
    "Dorothy",
    "Nancy",
    "Karen",
    "Betty",
    "Helen",
    "Sandra",
    "Donna",
    "Carol",
    "Ruth",
    "Sharon",
    "Michelle",
    "Laura",
    "Sarah",
    "Kimberly",
    "Deborah",
    "Jessica",
]
GIVEN_M = [
    "James",
    "John",
    "Robert",
    "Michael",
    "William",
    "David",
    "Richard",
    "Joseph",
    "Thomas",
    "Charles",
    "Daniel",
    "Matthew",
    "Anthony",
    "Donald",
    "Mark",
    "Paul",
    "Steven",
    "Andrew",
    "Kenneth",
    "George",
]
FAMILY = [
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
]
STREETS = [
    "Maple",
    "Oak",
    "Cedar",
    "Pine",
    "Elm",
    "Washington",
    "Lake",
    "Hill",
    "Sunset",
    "Park",
    "River",
    "Lincoln",
    "Highland",
    "Chestnut",
    "Willow",
]
SUFFIXES = ["Street", "Avenue", "Road", "Lane", "Drive", "Court", "Way", "Boulevard"]
# (city, state, ZIP): ZIP3s spread so k-anonymity groups are realistic, not trivial.
PLACES = [
    ("Boston", "MA", "02118"),
    ("Worcester", "MA", "01604"),
    ("Springfield", "MA", "01103"),
    ("Hartford", "CT", "06106"),
    ("Providence", "RI", "02903"),
    ("Albany", "NY", "12203"),
    ("Buffalo", "NY", "14201"),
    ("Newark", "NJ", "07102"),
    ("Philadelphia", "PA", "19104"),
    ("Pittsburgh", "PA", "15213"),
    ("Baltimore", "MD", "21201"),
    ("Richmond", "VA", "23219"),
    ("Cleveland", "OH", "44106"),
    ("Columbus", "OH", "43210"),
    ("Detroit", "MI", "48201"),
    ("Chicago", "IL", "60612"),
    ("Milwaukee", "WI", "53202"),
    ("Minneapolis", "MN", "55455"),
    ("Kansas City", "MO", "64108"),
    ("Wichita", "KS", "67214"),
]


def make(rng: np.random.Generator, sex_female: np.ndarray) -> dict[str, list[str]]:
    n = len(sex_female)
    given_f = rng.choice(GIVEN_F, n)
    given_m = rng.choice(GIVEN_M, n)
    given = np.where(sex_female, given_f, given_m)
    num = rng.integers(10, 999, size=(n, 4))
    family = rng.choice(FAMILY, n)
    place = rng.integers(0, len(PLACES), n)
    street = rng.choice(STREETS, n)
    suffix = rng.choice(SUFFIXES, n)
    digits = rng.integers(0, 10, size=(n, 22))
    out = {
        "given": [],
        "family": [],
        "line": [],
        "city": [],
        "state": [],
        "zip": [],
        "phone": [],
        "ssn": [],
        "mrn": [],
        "passport": [],
        "licence": [],
        "email": [],
    }
    for i in range(n):
        d = "".join(map(str, digits[i]))
        city, state, postal = PLACES[place[i]]
        out["given"].append(f"{given[i]}{num[i, 0]}")
        out["family"].append(f"{family[i]}{num[i, 1]}")
        out["line"].append(f"{num[i, 2] * 7 + 100} {street[i]} {suffix[i]} Unit {num[i, 3]}")
        out["city"].append(city)
        out["state"].append(state)
        out["zip"].append(postal)
        out["phone"].append(f"555-{d[0:3]}-{d[3:7]}")
        out["ssn"].append(f"999-{d[7:9]}-{d[9:13]}")
        out["mrn"].append(f"MRN{d[13:21]}")
        out["passport"].append(f"X{d[13:21]}X")
        out["licence"].append(f"S9{d[14:22]}")
        out["email"].append(f"{given[i].lower()}.{family[i].lower()}{num[i, 1]}@example.com")
    return out
