/* The cryptarithm generator's core in C: search, hint choice and lettering of a puzzle.
 *
 * Why: a peer generator makes a whole puzzle in ~30 us; the numpy search alone costs
 * 100-500 us and the Python hint loop and lettering several more. Here one call does all of
 * it, and no letter reaches the search: a puzzle's letters stand for the digits of the
 * numbers it was drawn from, so the search runs over those digits ("classes": the letter of
 * digit k is class k, whose true value is k) and a solution's agreement with the truth is a
 * 10-bit mask (bit k: class k got its true digit k).
 *
 * puzzle(op, operands, result, choice) -> (words, result word, hints, solution, answer), as
 * task.py's _written, whose Python (with linear.py's numpy search and reveal()) stays the
 * reference and the fallback: ``choice`` picks ten letters by a partial Fisher-Yates shuffle
 * (letters[k] for digit k), the equation is factor * sum(addends) = result in the column
 * form of task.py's _equation, and the hints are the classes revealed while a search that
 * stops at LIMIT solutions finds two: each time the class whose true digit keeps the fewest
 * of those found, the alphabetically first letter among equals, the search then running
 * again with it fixed. The last search finds one solution and so exhausts the space: the
 * hints make the puzzle unique without the full solution set, whose enumeration cost most
 * of a many-solution puzzle's time (v1.3.0 chose among all solutions).
 *
 * The search is linear.py's: sum_t c_t * d_t = 0, letters in decreasing |c_t|, each
 * letter's digits cut to those from which the letters after it can still bring the sum to 0;
 * the factor's class is chosen first and turns a_t, b_t into c_t = a_t * f + b_t. Two more
 * necessary conditions prune it here, depth-first: the letters after this one must reach the
 * rest of the sum with distinct free digits (largest digits on the largest coefficients, the
 * rearrangement bound), and modulo 10: when one of them alone has a coefficient not divisible
 * by 10, the rest of the sum fixes its last digit, which must be free. A node allocates
 * nothing: a solution is kept only as its agreement mask.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#define CLASSES 10
#define ALL 1023
#define MAX_ADDENDS 16
#define MAX_NUMBER 1000000000000000LL /* 10**15: |coef * 9| summed over 10 letters fits */
#define DISTINCT 3 /* letters after a level from which the rearrangement bound pays */
#define LIMIT 2    /* solutions a search stops at: all the hint rule sees (linear.py) */

static signed char ascending[ALL + 1][CLASSES]; /* the digits of a bitmask, ascending */
static int popcount[ALL + 1];
static int solving[CLASSES][CLASSES]; /* [c mod 10][r]: digits d with c * d = r (mod 10) */

typedef struct {
    int n;                            /* levels: the classes searched, factor excluded */
    int cls[CLASSES];                 /* class of each level, by decreasing |coefficient| */
    int allowed[CLASSES];             /* digits a level may take (no 0 for a leading one) */
    int64_t coef[CLASSES];            /* coefficient of each level for the current factor */
    int64_t lo[CLASSES + 1];          /* range of sum over levels t.. of coef * digit, */
    int64_t hi[CLASSES + 1];          /* each digit ranging independently */
    int positive[CLASSES + 1];        /* how many of levels t.. have a coefficient > 0 */
    int negative[CLASSES + 1];        /* and < 0 */
    int64_t up[CLASSES + 1][CLASSES]; /* the positive coefficients of levels t.., largest first */
    int64_t down[CLASSES + 1][CLASSES]; /* the negated negative ones, largest first */
    int modular[CLASSES + 1][20];     /* [t][need % 10 + 10]: digits the last digit allows */
    int total;                        /* solutions found, the search stopping at LIMIT */
    int first[LIMIT];                 /* their agreement masks */
} Search;

static void record(Search *s, int agree) {
    if (s->total < LIMIT) s->first[s->total++] = agree;
}

/* The digits d with lo <= need - c * d <= hi, as a bitmask (all or none when c = 0). */
static int fitting(int64_t c, int64_t need, int64_t lo, int64_t hi) {
    if (!c) return need < lo || need > hi ? 0 : ALL;
    int64_t k = c > 0 ? c : -c;
    int64_t low = c > 0 ? need - hi : lo - need, high = c > 0 ? need - lo : hi - need;
    if (high < 0 || low > 9 * k) return 0;
    int64_t first = low <= 0 ? 0 : (low + k - 1) / k;
    int64_t last = high >= 9 * k ? 9 : high / k;
    return first > last ? 0 : (2 << last) - (1 << first);
}

/* Range of sum over levels t.. of coef * digit with distinct digits from ``free``. */
static void distinct_range(const Search *s, int t, int free, int64_t *lo, int64_t *hi) {
    const signed char *d = ascending[free];
    int top = popcount[free] - 1;
    int64_t low = 0, high = 0;
    for (int i = 0; i < s->positive[t]; i++) {
        high += s->up[t][i] * d[top - i];
        low += s->up[t][i] * d[i];
    }
    for (int i = 0; i < s->negative[t]; i++) {
        high -= s->down[t][i] * d[i];
        low -= s->down[t][i] * d[top - i];
    }
    *lo = low > s->lo[t] ? low : s->lo[t];
    *hi = high < s->hi[t] ? high : s->hi[t];
}

/* Levels t.. must add up to ``need``; ``free`` holds the unused digits, ``agree`` the
 * classes so far given their true digit. */
static void dfs(Search *s, int t, int64_t need, int free, int agree) {
    int64_t c = s->coef[t], lo = s->lo[t + 1], hi = s->hi[t + 1];
    int truth = 1 << s->cls[t];
    if (t + 1 == s->n) {
        int bits = s->allowed[t] & free & fitting(c, need, 0, 0);
        for (; bits; bits &= bits - 1) record(s, agree | ((bits & -bits) == truth ? truth : 0));
        return;
    }
    if (s->n - t - 1 >= DISTINCT) distinct_range(s, t + 1, free, &lo, &hi);
    const int *modular = s->modular[t + 1];
    for (int bits = s->allowed[t] & free & fitting(c, need, lo, hi); bits; bits &= bits - 1) {
        if (s->total == LIMIT) return;
        int bit = bits & -bits;
        int64_t rest = need - c * __builtin_ctz(bits);
        if (modular[rest % 10 + 10] & free & ~bit)
            dfs(s, t + 1, rest, free & ~bit, agree | (bit == truth ? truth : 0));
    }
}

/* Inserts x into the descending list of n values. */
static void insert(int64_t *list, int n, int64_t x) {
    for (; n > 0 && list[n - 1] < x; n--) list[n] = list[n - 1];
    list[n] = x;
}

/* Coefficients and the per-suffix tables for factor digit f. */
static void prepare(Search *s, const int64_t *a, const int64_t *b, int64_t f) {
    int n = s->n, unit = -2; /* the one level t.. whose coef is not 0 mod 10; -1: several */
    s->lo[n] = s->hi[n] = 0;
    s->positive[n] = s->negative[n] = 0;
    for (int t = n - 1; t >= 0; t--) {
        int64_t c = a[s->cls[t]] * f + b[s->cls[t]];
        int64_t x = s->allowed[t] & 1 ? 0 : c, y = c * 9;
        s->coef[t] = c;
        s->lo[t] = s->lo[t + 1] + (x < y ? x : y);
        s->hi[t] = s->hi[t + 1] + (x < y ? y : x);
        s->positive[t] = s->positive[t + 1];
        s->negative[t] = s->negative[t + 1];
        memcpy(s->up[t], s->up[t + 1], sizeof s->up[t]);
        memcpy(s->down[t], s->down[t + 1], sizeof s->down[t]);
        if (c > 0) insert(s->up[t], s->positive[t]++, c);
        if (c < 0) insert(s->down[t], s->negative[t]++, -c);
        if (c % 10) unit = unit == -2 ? t : -1;
        int times = unit >= 0 ? (int)((s->coef[unit] % 10 + 10) % 10) : 0;
        for (int r = 0; r < 20; r++)
            s->modular[t][r] = unit == -1   ? ALL
                               : unit == -2 ? (r % 10 ? 0 : ALL)
                                            : solving[times][r % 10] & s->allowed[unit];
    }
}

/* Adds sign * 10**position to the class of each digit of x; returns its leading digit. */
static int spread(int64_t x, int64_t *coef, int64_t sign, int *used) {
    int digit = 0;
    for (int64_t power = 1; x; x /= 10, power *= 10) {
        digit = (int)(x % 10);
        coef[digit] += sign * power;
        *used |= 1 << digit;
    }
    return digit;
}

/* The open class whose true digit keeps the fewest of the solutions found; the
 * alphabetically first letter among equals. */
static int fewest(const Search *s, int open, const char *letters) {
    int best = -1, least = LIMIT + 1;
    for (int k = 0; k < CLASSES; k++) {
        if (!(open >> k & 1)) continue;
        int kept = 0;
        for (int i = 0; i < s->total; i++) kept += s->first[i] >> k & 1;
        if (kept < least || (kept == least && letters[k] < letters[best])) best = k, least = kept;
    }
    return best;
}

/* The first LIMIT solutions (fewer if there are not so many) in which the classes of
 * ``required`` have their true digit, into ``s``: the factor digit ascending, then the
 * levels of ``order`` (all but the factor's class) with their digits ascending. A revealed
 * class leaves the search, its term moved into what the others must add up to. */
static void search(Search *s, const int64_t *a, const int64_t *b, int factor, int required,
                   const int *order, int count, int leading) {
    int fixed = factor ? required & ~(1 << factor) : required; /* revealed, not the factor */
    s->total = s->n = 0;
    for (int i = 0; i < count; i++)
        if (!(fixed >> order[i] & 1)) {
            s->cls[s->n] = order[i];
            s->allowed[s->n++] = leading >> order[i] & 1 ? ALL - 1 : ALL;
        }
    for (int f = factor ? 1 : 0; f < (factor ? CLASSES : 1) && s->total < LIMIT; f++) {
        if (factor && (fixed >> f & 1 || (required >> factor & 1 && f != factor))) continue;
        int64_t weight = factor ? f : 1, need = factor ? -(a[factor] * f + b[factor]) * f : 0;
        for (int k = 0; k < CLASSES; k++)
            if (fixed >> k & 1) need -= (a[k] * weight + b[k]) * k;
        int agree = required | (factor && f == factor ? 1 << factor : 0);
        if (!s->n) {
            if (!need) record(s, agree);
            continue;
        }
        prepare(s, a, b, weight);
        dfs(s, 0, need, ALL & ~fixed & ~(factor ? 1 << f : 0), agree);
    }
}

/* The classes to reveal for factor * sum(addends) = result, ``s`` the search's workspace;
 * the classes (digits) that occur go to ``used``. While a search finds two solutions or
 * more, reveal the class whose true digit keeps the fewest of them (one of them at least is
 * wrong, so one at least goes), the alphabetically first letter among equals (the letters
 * are a random labelling of the digits, so that is a random choice); the last search,
 * finding one solution, exhausts the space. */
static int hints(const int64_t *addends, int count, int64_t result, int factor,
                 const char *letters, Search *s, int *classes) {
    int64_t a[CLASSES] = {0}, b[CLASSES] = {0}, size[CLASSES];
    int used = 0, leading = 0, order[CLASSES], n = 0;
    for (int i = 0; i < count; i++) leading |= 1 << spread(addends[i], a, 1, &used);
    leading |= 1 << spread(result, b, -1, &used);
    if (factor) used |= leading |= 1 << factor;
    *classes = used;

    /* Decreasing |coefficient| (at a middling factor), the modulo-10 cut counting double:
     * a letter whose coefficient is not divisible by 10 goes early, so that the last such
     * letter is alone sooner; ties to the smaller class. */
    int64_t weight = factor ? 5 : 1;
    for (int k = 0; k < CLASSES; k++) {
        if (!(used >> k & 1) || (factor && k == factor)) continue;
        int64_t c = a[k] * weight + b[k];
        size[k] = llabs(c) * (c % 10 ? 2 : 1);
        int t = n++;
        for (; t > 0 && size[order[t - 1]] < size[k]; t--) order[t] = order[t - 1];
        order[t] = k;
    }
    for (int required = 0;;) {
        search(s, a, b, factor, required, order, n, leading);
        if (s->total < 2) return required;
        required |= 1 << fewest(s, used & ~required, letters);
    }
}

/* The number x written with letters[digit]. */
static PyObject *word(int64_t x, const char *letters) {
    char text[24];
    int n = sizeof text;
    do text[--n] = letters[x % 10];
    while (x /= 10);
    return PyUnicode_FromStringAndSize(text + n, (Py_ssize_t)(sizeof text) - n);
}

/* {letter: digit} over the classes of ``mask``, in the letters' order. */
static PyObject *mapping(int mask, const int *order, int n, const char *letters) {
    PyObject *out = PyDict_New();
    for (int i = 0; out && i < n; i++) {
        int k = order[i];
        if (!(mask >> k & 1)) continue;
        PyObject *key = PyUnicode_FromStringAndSize(letters + k, 1), *value = PyLong_FromLong(k);
        if (!key || !value || PyDict_SetItem(out, key, value) < 0) Py_CLEAR(out);
        Py_XDECREF(key);
        Py_XDECREF(value);
    }
    return out;
}

static int read_numbers(PyObject *seq, int64_t *out, Py_ssize_t *count) {
    PyObject *fast = PySequence_Fast(seq, "operands must be a sequence");
    if (!fast) return -1;
    *count = PySequence_Fast_GET_SIZE(fast);
    for (Py_ssize_t i = 0; i < *count && i < MAX_ADDENDS; i++)
        out[i] = PyLong_AsLongLong(PySequence_Fast_GET_ITEM(fast, i));
    Py_DECREF(fast);
    return PyErr_Occurred() ? -1 : 0;
}

/* puzzle(op, operands, result, choice): see task.py's _written, whose Python it mirrors. */
static PyObject *puzzle(PyObject *self, PyObject *args) {
    int op;
    PyObject *operands_obj, *choice_obj;
    long long result;
    if (!PyArg_ParseTuple(args, "iOLO", &op, &operands_obj, &result, &choice_obj)) return NULL;
    unsigned long long choice = PyLong_AsUnsignedLongLong(choice_obj);
    int64_t operands[MAX_ADDENDS];
    Py_ssize_t count;
    if ((choice == (unsigned long long)-1 && PyErr_Occurred()) ||
        read_numbers(operands_obj, operands, &count) < 0)
        return NULL;
    int ok = op >= 0 && op <= 2 && count >= (op == 1 ? 2 : 1) && count <= MAX_ADDENDS - 1 &&
             result > 0 && result < MAX_NUMBER && (op != 2 || count == 2);
    for (Py_ssize_t i = 0; ok && i < count; i++) ok = operands[i] > 0 && operands[i] < MAX_NUMBER;
    if (ok && op == 2) ok = operands[1] <= 9;
    if (!ok) return PyErr_Format(PyExc_ValueError, "not a puzzle's operands");

    char letters[26]; /* a partial Fisher-Yates shuffle, as _letters() */
    for (int i = 0; i < 26; i++) letters[i] = (char)('A' + i);
    for (int i = 0; i < CLASSES; i++) {
        int j = i + (int)(choice % (unsigned)(26 - i));
        char x = letters[i];
        choice /= (unsigned)(26 - i);
        letters[i] = letters[j];
        letters[j] = x;
    }
    /* The column-addition form of task.py's _equation. */
    int64_t addends[MAX_ADDENDS], total = result;
    int n = (int)count, factor = 0;
    memcpy(addends, operands, sizeof(int64_t) * (size_t)n);
    if (op == 1) {
        total = operands[0];
        addends[0] = result;
    } else if (op == 2) {
        n = 1;
        factor = (int)operands[1];
    }
    Search search;
    int used, revealed = hints(addends, n, total, factor, letters, &search, &used);

    int order[CLASSES], classes = 0;
    for (int k = 0; k < CLASSES; k++) {
        int i = classes++;
        for (; i > 0 && letters[order[i - 1]] > letters[k]; i--) order[i] = order[i - 1];
        order[i] = k;
    }
    char answer[CLASSES * 5], *at = answer;
    for (int i = 0; i < classes; i++)
        if (used >> order[i] & 1) {
            if (at != answer) at += sprintf(at, ", ");
            at += sprintf(at, "%c=%d", letters[order[i]], order[i]);
        }
    PyObject *words = PyList_New(count);
    for (Py_ssize_t i = 0; words && i < count; i++) {
        PyObject *w = word(operands[i], letters);
        if (!w) Py_CLEAR(words);
        else PyList_SET_ITEM(words, i, w);
    }
    return Py_BuildValue("(NNNNs#)", words, word(result, letters),
                         mapping(revealed, order, classes, letters),
                         mapping(used, order, classes, letters), answer,
                         (Py_ssize_t)(at - answer));
}

static PyMethodDef methods[] = {
    {"puzzle", puzzle, METH_VARARGS,
     "puzzle(op, operands, result, choice) -> (words, result word, hints, solution, answer)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_linear", "Cryptarithm search, hint choice and lettering (C).", -1,
    methods,
};

static void tables(void) {
    for (int m = 0; m <= ALL; m++)
        for (int d = 0; d < CLASSES; d++)
            if (m >> d & 1) ascending[m][popcount[m]++] = (signed char)d;
    for (int c = 0; c < CLASSES; c++)
        for (int d = 0; d < CLASSES; d++) solving[c][c * d % 10] |= 1 << d;
}

PyMODINIT_FUNC PyInit__linear(void) {
    tables();
    return PyModule_Create(&module);
}
