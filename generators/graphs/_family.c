/* The family of family_relationships.py grown and told in C: kinship.grow_from (_climb,
 * _fill), then family_relationships._names, the three phrasings, _distractors and the
 * shuffle, drawing the same words from the same stream in the same order.
 *
 * Why: in Python these took ~45 of a level-10 problem's ~60 us (a list append or an
 * f-string per person and per fact); here about a fifth of that, most of it the calls of
 * ``word`` and the payload's lists. The Python path stays the reference (and the fallback
 * where this module was not compiled); both give byte-identical problems.
 *
 * tell(word, lists, top, coins, people, last, full, distractors, child_share,
 *      female_names, male_names, pieces) -> (body, names, female, parents, spouse, pairs)
 *
 * ``word`` is the problem's stream of 64-bit words (hashrandom.words), called once a draw
 * as the Python path calls it, so both leave it in the same state. ``lists``, ``top`` and
 * ``coins`` are a planted chain (kinship.root: the tree's female, parents, spouse, gen,
 * kids, open and singles lists, read, not changed); ``last`` the last generation, ``full``
 * the most children of a couple, ``child_share`` kinship.CHILD_SHARE. The names and
 * ``pieces`` (family_relationships._PIECES: the text of every sentence, in the P_* order
 * below) are ASCII strings. ``body`` is the shuffled facts, each after "- ", a line each;
 * the rest is the payload. Anything malformed is refused with ValueError.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#define MAX_PEOPLE 64 /* a coin per person in one word (the knobs allow 40) */
#define MAX_SLOTS (3 * MAX_PEOPLE)
#define MAX_PAIRS (MAX_PEOPLE * (MAX_PEOPLE - 1) / 2)
#define MAX_FACTS (2 * MAX_PEOPLE + MAX_PAIRS)
#define MAX_NAMES 256 /* in a name list (there are 52 and 50) */
#define LOW 0xFFFFFFFFu
#define FIELD 0xFFFFFFu

/* The layout of ``pieces``: the tables of family_relationships.py, flat. */
enum {
    P_LEAD_HIS, P_LEAD_HIS_END, P_LEAD_HER, P_LEAD_HER_END, /* COUPLE_LEADS */
    P_NONE, P_ONE, P_ONE_END, P_SEVERAL, P_COMMA, P_LAST_AND, P_SEVERAL_END, /* CHILD_COUNTS */
    P_A_SON, P_A_DAUGHTER, /* A_CHILD */
    P_HUSBAND_OF, P_HUSBAND_OF_END, P_WIFE_OF, P_WIFE_OF_END, /* MARRIAGES */
    P_SON_OF, /* BIRTHS: the son's three pieces, then the daughter's */
    P_DAUGHTER_OF = P_SON_OF + 3,
    P_HUSBAND_IS = P_DAUGHTER_OF + 3, P_HUSBAND_IS_END, P_WIFE_IS, P_WIFE_IS_END, /* OWN_... */
    P_HAVE_SON, /* OWN_BIRTHS: three pieces each */
    P_HAVE_DAUGHTER = P_HAVE_SON + 3,
    P_DISTRACTIONS = P_HAVE_DAUGHTER + 3, /* four (middle, end) pairs */
    P_COUNT = P_DISTRACTIONS + 8,
};

typedef struct {
    const char *s;
    Py_ssize_t n;
} Str;

typedef struct {
    char *data;
    Py_ssize_t len, cap;
} Text;

typedef struct {
    int n, female[MAX_PEOPLE], mother[MAX_PEOPLE], father[MAX_PEOPLE], spouse[MAX_PEOPLE];
    long gen[MAX_PEOPLE], kids[MAX_PEOPLE];
    int open[MAX_SLOTS], nopen, singles[MAX_SLOTS], nsingles;
    PyObject *names[MAX_PEOPLE]; /* borrowed from the name tuples */
    Py_ssize_t pool[2][MAX_NAMES];  /* the names left, by female */
    Str name[MAX_PEOPLE];
    Str piece[P_COUNT];
    int pair_a[MAX_PAIRS], pair_b[MAX_PAIRS], npairs;
    Py_ssize_t fact_at[MAX_FACTS], fact_len[MAX_FACTS];
    int nfacts;
    unsigned char paired[MAX_PEOPLE][MAX_PEOPLE];
    Text text; /* the facts, one after another */
} Family;

static int refuse(const char *why) {
    PyErr_SetString(PyExc_ValueError, why);
    return -1;
}

/* The high word of a * b for b < 2**32 (word() * b >> 64 in Python), without 128 bits. */
static uint64_t scale(uint64_t a, uint64_t b) {
    return ((a >> 32) * b + ((a & LOW) * b >> 32)) >> 32;
}

static int draw(PyObject *word, uint64_t *out) {
    PyObject *value = PyObject_CallNoArgs(word);
    if (!value)
        return -1;
    *out = PyLong_AsUnsignedLongLong(value);
    Py_DECREF(value);
    return *out == (uint64_t)-1 && PyErr_Occurred() ? -1 : 0;
}

static int ascii_of(PyObject *text, Str *out) {
    if (!PyUnicode_Check(text) || !PyUnicode_IS_ASCII(text))
        return refuse("names and pieces are ASCII strings");
    out->s = (const char *)PyUnicode_DATA(text);
    out->n = PyUnicode_GET_LENGTH(text);
    return 0;
}

static int put(Text *t, Str s) {
    if (t->len + s.n > t->cap) {
        Py_ssize_t cap = 2 * (t->len + s.n) > 4096 ? 2 * (t->len + s.n) : 4096;
        char *data = PyMem_Realloc(t->data, (size_t)cap);
        if (!data) {
            PyErr_NoMemory();
            return -1;
        }
        t->data = data, t->cap = cap;
    }
    memcpy(t->data + t->len, s.s, (size_t)s.n);
    t->len += s.n;
    return 0;
}

/* Appends the strings of ``parts`` (``count`` of them) to the text. */
static int puts_(Text *t, const Str *parts, int count) {
    for (int k = 0; k < count; k++)
        if (put(t, parts[k]) < 0)
            return -1;
    return 0;
}

/* Takes the text from ``start`` on as the next fact. */
static void end_fact(Family *f, Py_ssize_t start) {
    f->fact_at[f->nfacts] = start;
    f->fact_len[f->nfacts++] = f->text.len - start;
}

/* A fact of the given parts. */
static int fact(Family *f, const Str *parts, int count) {
    Py_ssize_t start = f->text.len;
    if (puts_(&f->text, parts, count) < 0)
        return -1;
    end_fact(f, start);
    return 0;
}

/* An int of a list, in [low, high). */
static int index_in(PyObject *list, Py_ssize_t i, long low, long high, long *out) {
    long v = PyLong_AsLong(PyList_GET_ITEM(list, i));
    if (v == -1 && PyErr_Occurred())
        return -1;
    if (v < low || v >= high)
        return refuse("an index out of the family");
    *out = v;
    return 0;
}

static PyObject *list_at(PyObject *lists, Py_ssize_t k, Py_ssize_t length) {
    PyObject *list = PyTuple_GET_ITEM(lists, k);
    if (!PyList_Check(list) || (length >= 0 && PyList_GET_SIZE(list) != length) ||
        PyList_GET_SIZE(list) > MAX_SLOTS / 3) {
        refuse("a malformed planted chain");
        return NULL;
    }
    return list;
}

/* The planted chain's lists, checked: indices inside the family, parents a married couple
 * (mother first), spouses each other's, open mothers married. */
static int read_chain(Family *f, PyObject *lists) {
    if (PyTuple_GET_SIZE(lists) != 7)
        return refuse("a malformed planted chain");
    PyObject *female = list_at(lists, 0, -1);
    if (!female)
        return -1;
    Py_ssize_t n = PyList_GET_SIZE(female);
    PyObject *parents = list_at(lists, 1, n), *spouse = list_at(lists, 2, n);
    PyObject *gen = parents && spouse ? list_at(lists, 3, n) : NULL;
    PyObject *kids = gen ? list_at(lists, 4, n) : NULL;
    PyObject *open = kids ? list_at(lists, 5, -1) : NULL;
    PyObject *singles = open ? list_at(lists, 6, -1) : NULL;
    if (!singles)
        return -1;
    f->n = (int)n;
    long v;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *is = PyList_GET_ITEM(female, i), *pair = PyList_GET_ITEM(parents, i);
        if (!PyBool_Check(is) || !PyList_Check(pair) ||
            (PyList_GET_SIZE(pair) != 0 && PyList_GET_SIZE(pair) != 2))
            return refuse("a malformed planted chain");
        f->female[i] = is == Py_True;
        f->mother[i] = f->father[i] = -1;
        if (PyList_GET_SIZE(pair)) {
            if (index_in(pair, 0, 0, n, &v) < 0)
                return -1;
            f->mother[i] = (int)v;
            if (index_in(pair, 1, 0, n, &v) < 0)
                return -1;
            f->father[i] = (int)v;
        }
        if (index_in(spouse, i, -1, n, &v) < 0)
            return -1;
        f->spouse[i] = (int)v;
        if (index_in(gen, i, LONG_MIN, LONG_MAX, &f->gen[i]) < 0 ||
            index_in(kids, i, 0, LONG_MAX, &f->kids[i]) < 0)
            return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++)
        if ((f->spouse[i] >= 0 && f->spouse[f->spouse[i]] != i) ||
            (f->mother[i] >= 0 && f->spouse[f->mother[i]] != f->father[i]))
            return refuse("a malformed planted chain");
    f->nopen = (int)PyList_GET_SIZE(open);
    f->nsingles = (int)PyList_GET_SIZE(singles);
    for (int k = 0; k < f->nopen; k++) {
        if (index_in(open, k, 0, n, &v) < 0)
            return -1;
        if (f->spouse[v] < 0)
            return refuse("an open mother without a husband");
        f->open[k] = (int)v;
    }
    for (int k = 0; k < f->nsingles; k++) {
        if (index_in(singles, k, 0, n, &v) < 0)
            return -1;
        f->singles[k] = (int)v;
    }
    return 0;
}

/* kinship._climb: ancestors of ``top`` up to the first generation, two coins a generation. */
static int climb(Family *f, int top, uint64_t coins) {
    while (f->gen[top] > 0) {
        if (f->n + 2 > MAX_PEOPLE)
            return refuse("the chain climbs past the most people");
        if (f->spouse[top] >= 0 && coins & 1)
            top = f->spouse[top];
        int mother = f->n, father = f->n + 1;
        long g = f->gen[top] - 1;
        f->female[mother] = 1, f->female[father] = 0;
        f->mother[mother] = f->father[mother] = f->mother[father] = f->father[father] = -1;
        f->spouse[mother] = father, f->spouse[father] = mother;
        f->gen[mother] = f->gen[father] = g;
        f->kids[mother] = 1, f->kids[father] = 0;
        f->mother[top] = mother, f->father[top] = father;
        f->open[f->nopen++] = mother;
        f->singles[f->nsingles++] = top;
        f->n += 2;
        top = coins & 2 ? mother : father;
        coins >>= 2;
    }
    return 0;
}

/* kinship._fill: children of open couples and spouses for singles, a word a person. */
static int fill(Family *f, PyObject *word, int people, long last, long full, uint64_t share) {
    int mothers[MAX_SLOTS], singles[MAX_SLOTS], nm = 0, ns = 0;
    for (int k = 0; k < f->nopen; k++)
        if (f->kids[f->open[k]] < full)
            mothers[nm++] = f->open[k];
    for (int k = 0; k < f->nsingles; k++)
        if (f->spouse[f->singles[k]] < 0)
            singles[ns++] = f->singles[k];
    while (f->n < people && (nm || ns)) {
        uint64_t u;
        if (draw(word, &u) < 0)
            return -1;
        int v = f->n;
        f->mother[v] = f->father[v] = -1;
        if (ns && (!nm || u >= share)) {
            int i = (int)((u & LOW) * (uint64_t)ns >> 32), single = singles[i];
            singles[i] = singles[--ns];
            f->female[v] = !f->female[single];
            f->spouse[v] = single, f->spouse[single] = v;
            f->gen[v] = f->gen[single];
            if (f->gen[v] < last)
                mothers[nm++] = f->female[single] ? single : v;
        } else {
            int i = (int)((u & LOW) * (uint64_t)nm >> 32), mother = mothers[i];
            f->female[v] = (int)(u >> 32 & 1);
            f->mother[v] = mother, f->father[v] = f->spouse[mother];
            f->spouse[v] = -1;
            f->gen[v] = f->gen[mother] + 1;
            singles[ns++] = v;
            if (++f->kids[mother] == full)
                mothers[i] = mothers[--nm];
        }
        f->kids[v] = 0;
        f->n++;
    }
    return 0;
}

/* family_relationships._names: each drawn from what is left of its list, swap-removed. */
static int name(Family *f, PyObject *word, PyObject *women, PyObject *men) {
    Py_ssize_t left[2] = {PyTuple_GET_SIZE(men), PyTuple_GET_SIZE(women)};
    if (left[0] > MAX_NAMES || left[1] > MAX_NAMES)
        return refuse("too many names");
    for (int g = 0; g < 2; g++)
        for (Py_ssize_t k = 0; k < left[g]; k++)
            f->pool[g][k] = k;
    for (int v = 0; v < f->n; v++) {
        int g = f->female[v];
        uint64_t u;
        if (draw(word, &u) < 0)
            return -1;
        if (!left[g])
            return refuse("more people than names");
        Py_ssize_t i = (Py_ssize_t)scale(u, (uint64_t)left[g]), at = f->pool[g][i];
        f->pool[g][i] = f->pool[g][--left[g]];
        f->names[v] = PyTuple_GET_ITEM(g ? women : men, at);
        if (ascii_of(f->names[v], &f->name[v]) < 0)
            return -1;
    }
    return 0;
}

/* How a child is listed in the couples phrasing: name, then (a son) or (a daughter). */
static int child_before(const Family *f, int a, int b) {
    Str a1 = f->name[a], a2 = f->piece[P_A_SON + f->female[a]];
    Str b1 = f->name[b], b2 = f->piece[P_A_SON + f->female[b]];
    for (Py_ssize_t k = 0; k < a1.n + a2.n && k < b1.n + b2.n; k++) {
        unsigned char x = (unsigned char)(k < a1.n ? a1.s[k] : a2.s[k - a1.n]);
        unsigned char y = (unsigned char)(k < b1.n ? b1.s[k] : b2.s[k - b1.n]);
        if (x != y)
            return x < y;
    }
    return a1.n + a2.n < b1.n + b2.n;
}

/* _as_couples: a sentence per couple, its children in the order of their listings. */
static int as_couples(Family *f, PyObject *word) {
    uint64_t coins;
    if (draw(word, &coins) < 0)
        return -1;
    const Str *p = f->piece;
    for (int w = 0; w < f->n; w++) {
        int h = f->spouse[w];
        if (h < 0 || !f->female[w])
            continue;
        int kids[MAX_PEOPLE], count = 0;
        for (int c = 0; c < f->n; c++)
            if (f->mother[c] == w) {
                int at = count++;
                for (; at && child_before(f, c, kids[at - 1]); at--)
                    kids[at] = kids[at - 1];
                kids[at] = c;
            }
        Text *t = &f->text;
        Py_ssize_t start = t->len;
        int wife_first = (int)(coins >> w & 1), at = wife_first ? P_LEAD_HER : P_LEAD_HIS;
        Str lead[4] = {f->name[wife_first ? w : h], p[at], f->name[wife_first ? h : w],
                       p[at + 1]};
        if (puts_(t, lead, 4) < 0)
            return -1;
        if (!count) {
            if (put(t, p[P_NONE]) < 0)
                return -1;
        } else if (count == 1) {
            Str one[4] = {p[P_ONE], f->name[kids[0]], p[P_A_SON + f->female[kids[0]]],
                          p[P_ONE_END]};
            if (puts_(t, one, 4) < 0)
                return -1;
        } else {
            char number[24];
            Str several[2] = {{number, snprintf(number, sizeof number, "%d", count)},
                              p[P_SEVERAL]};
            if (puts_(t, several, 2) < 0)
                return -1;
            for (int k = 0; k < count; k++) {
                Str child[3] = {k == count - 1 ? p[P_LAST_AND] : p[P_COMMA],
                                f->name[kids[k]], p[P_A_SON + f->female[kids[k]]]};
                if (puts_(t, child + !k, 3 - !k) < 0)
                    return -1;
            }
            if (put(t, p[P_SEVERAL_END]) < 0)
                return -1;
        }
        end_fact(f, start);
    }
    return 0;
}

/* _as_facts (possessive 0) and _as_possessive (1): a sentence per couple, then one per
 * child; a coin of one word per kind of sentence, by the wife or the child, orders the
 * names. */
static int as_sentences(Family *f, PyObject *word, int possessive) {
    uint64_t couple_coins, child_coins;
    if (draw(word, &couple_coins) < 0 || draw(word, &child_coins) < 0)
        return -1;
    const Str *p = f->piece;
    for (int w = 0; w < f->n; w++) {
        int h = f->spouse[w], coin = (int)(couple_coins >> w & 1);
        if (h < 0 || !f->female[w])
            continue;
        /* the facts name the wife first on a coin, the possessive sentences the husband */
        int wife_first = possessive ? !coin : coin;
        int at = possessive ? (coin ? P_WIFE_IS : P_HUSBAND_IS)
                            : (coin ? P_WIFE_OF : P_HUSBAND_OF);
        Str parts[4] = {f->name[wife_first ? w : h], p[at], f->name[wife_first ? h : w],
                        p[at + 1]};
        if (fact(f, parts, 4) < 0)
            return -1;
    }
    for (int c = 0; c < f->n; c++) {
        if (f->mother[c] < 0)
            continue;
        int coin = (int)(child_coins >> c & 1);
        Str a = f->name[coin ? f->mother[c] : f->father[c]];
        Str b = f->name[coin ? f->father[c] : f->mother[c]];
        const Str *s = p + (possessive ? P_HAVE_SON : P_SON_OF) + 3 * f->female[c];
        Str told[6] = {f->name[c], s[0], a, s[1], b, s[2]};
        if (possessive)
            told[0] = a, told[2] = b, told[4] = f->name[c];
        if (fact(f, told, 6) < 0)
            return -1;
    }
    return 0;
}

/* _distractors: distinct pairs, a word each (people at bits 40..63 and 16..39, the sentence
 * at 0..1), redrawn on a person paired with itself or a pair drawn before; pairs sorted. */
static int distract(Family *f, PyObject *word, Py_ssize_t count) {
    int n = f->n;
    if (count > n * (n - 1) / 2)
        count = n * (n - 1) / 2;
    for (int a = 0; a < n; a++)
        memset(f->paired[a], 0, (size_t)n);
    for (f->npairs = 0; f->npairs < count;) {
        uint64_t u;
        if (draw(word, &u) < 0)
            return -1;
        int a = (int)((u >> 40) * (uint64_t)n >> 24);
        int b = (int)((u >> 16 & FIELD) * (uint64_t)n >> 24);
        int lo = a < b ? a : b, hi = a < b ? b : a;
        if (a == b || f->paired[lo][hi])
            continue;
        f->paired[lo][hi] = 1;
        /* kept sorted as they come: (lo, hi) as a number lo * MAX_PEOPLE + hi */
        int at = f->npairs++, key = lo * MAX_PEOPLE + hi;
        for (; at && f->pair_a[at - 1] * MAX_PEOPLE + f->pair_b[at - 1] > key; at--)
            f->pair_a[at] = f->pair_a[at - 1], f->pair_b[at] = f->pair_b[at - 1];
        f->pair_a[at] = lo, f->pair_b[at] = hi;
        const Str *s = f->piece + P_DISTRACTIONS + 2 * (u & 3);
        Str told[4] = {f->name[a], s[0], f->name[b], s[1]};
        if (fact(f, told, 4) < 0)
            return -1;
    }
    return 0;
}

/* shuffle_words over the facts, then "- " before each, a line each. */
static PyObject *shuffled_body(Family *f, PyObject *word) {
    for (int i = f->nfacts - 1; i > 0; i--) {
        uint64_t u;
        if (draw(word, &u) < 0)
            return NULL;
        int j = (int)scale(u, (uint64_t)i + 1);
        Py_ssize_t at = f->fact_at[i], len = f->fact_len[i];
        f->fact_at[i] = f->fact_at[j], f->fact_len[i] = f->fact_len[j];
        f->fact_at[j] = at, f->fact_len[j] = len;
    }
    Py_ssize_t size = 2; /* "- " + "\n- ".join(facts) */
    for (int i = 0; i < f->nfacts; i++)
        size += f->fact_len[i] + (i ? 3 : 0);
    PyObject *body = PyUnicode_New(size, 127);
    if (!body)
        return NULL;
    char *out = (char *)PyUnicode_1BYTE_DATA(body);
    *out++ = '-', *out++ = ' ';
    for (int i = 0; i < f->nfacts; i++) {
        if (i)
            *out++ = '\n', *out++ = '-', *out++ = ' ';
        memcpy(out, f->text.data + f->fact_at[i], (size_t)f->fact_len[i]);
        out += f->fact_len[i];
    }
    return body;
}

static PyObject *int_pair(int a, int b) {
    PyObject *pair = PyList_New(2), *x = PyLong_FromLong(a), *y = PyLong_FromLong(b);
    if (!pair || !x || !y) {
        Py_XDECREF(pair), Py_XDECREF(x), Py_XDECREF(y);
        return NULL;
    }
    PyList_SET_ITEM(pair, 0, x);
    PyList_SET_ITEM(pair, 1, y);
    return pair;
}

/* (body, names, female, parents, spouse, pairs): lists as the payload holds them. */
static PyObject *payload(Family *f, PyObject *body) {
    PyObject *names = PyList_New(f->n), *female = PyList_New(f->n);
    PyObject *parents = PyList_New(f->n), *spouse = PyList_New(f->n);
    PyObject *pairs = PyList_New(f->npairs);
    if (!names || !female || !parents || !spouse || !pairs)
        goto fail;
    for (int v = 0; v < f->n; v++) {
        PyList_SET_ITEM(names, v, Py_NewRef(f->names[v]));
        PyList_SET_ITEM(female, v, PyBool_FromLong(f->female[v]));
        PyObject *pair = f->mother[v] < 0 ? PyList_New(0) : int_pair(f->mother[v], f->father[v]);
        PyObject *partner = PyLong_FromLong(f->spouse[v]);
        if (!pair || !partner) {
            Py_XDECREF(pair), Py_XDECREF(partner);
            goto fail;
        }
        PyList_SET_ITEM(parents, v, pair);
        PyList_SET_ITEM(spouse, v, partner);
    }
    for (int k = 0; k < f->npairs; k++) {
        PyObject *pair = int_pair(f->pair_a[k], f->pair_b[k]);
        if (!pair)
            goto fail;
        PyList_SET_ITEM(pairs, k, pair);
    }
    return Py_BuildValue("(NNNNNN)", body, names, female, parents, spouse, pairs);
fail:
    Py_DECREF(body);
    Py_XDECREF(names), Py_XDECREF(female), Py_XDECREF(parents), Py_XDECREF(spouse);
    Py_XDECREF(pairs);
    return NULL;
}

static PyObject *tell(PyObject *Py_UNUSED(self), PyObject *args) {
    PyObject *word, *lists, *women, *men, *pieces;
    Py_ssize_t top, people, distractors;
    long last, full;
    unsigned long long coins, share;
    if (!PyArg_ParseTuple(args, "OO!nKnllnKO!O!O!", &word, &PyTuple_Type, &lists, &top,
                          &coins, &people, &last, &full, &distractors, &share, &PyTuple_Type,
                          &women, &PyTuple_Type, &men, &PyTuple_Type, &pieces))
        return NULL;
    if (people < 0 || people > MAX_PEOPLE || distractors < 0 ||
        PyTuple_GET_SIZE(pieces) != P_COUNT) {
        refuse("no such family configuration");
        return NULL;
    }
    Family *f = PyMem_Malloc(sizeof(Family));
    if (!f)
        return PyErr_NoMemory();
    f->text = (Text){NULL, 0, 0};
    f->nfacts = f->npairs = 0;
    PyObject *result = NULL, *body = NULL;
    for (int k = 0; k < P_COUNT; k++)
        if (ascii_of(PyTuple_GET_ITEM(pieces, k), &f->piece[k]) < 0)
            goto done;
    if (read_chain(f, lists) < 0)
        goto done;
    if (top < 0 || top >= f->n) {
        refuse("the top person is not in the family");
        goto done;
    }
    if (climb(f, (int)top, coins) < 0 || fill(f, word, (int)people, last, full, share) < 0 ||
        name(f, word, women, men) < 0)
        goto done;
    uint64_t style;
    if (draw(word, &style) < 0)
        goto done;
    style = scale(style, 3);
    if ((style ? as_sentences(f, word, style == 2) : as_couples(f, word)) < 0 ||
        (distractors && distract(f, word, distractors) < 0))
        goto done;
    if ((body = shuffled_body(f, word)))
        result = payload(f, body);
done:
    PyMem_Free(f->text.data);
    PyMem_Free(f);
    return result;
}

static PyMethodDef methods[] = {
    {"tell", tell, METH_VARARGS,
     "tell(word, lists, top, coins, people, last, full, distractors, child_share, "
     "female_names, male_names, pieces) -> (body, names, female, parents, spouse, pairs)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_family", "The family of family_relationships, grown and told (C).",
    -1, methods,
};

PyMODINIT_FUNC PyInit__family(void) { return PyModule_Create(&module); }
