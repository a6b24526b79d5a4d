/* Survo completions, up to a limit: the search of count.py (Counter._search) in C.
 *
 * Why: generation proves uniqueness once per blank that closes a cycle of blanks, ~200
 * search nodes per 5x5 puzzle at ~10 us a node in Python, 30 times the peer's whole item;
 * the same rules over machine-word bitmasks cost well under a microsecond a node. The
 * Python search stays the reference (and the fallback where this module was not compiled).
 * Only the count is returned, min(completions, limit), which does not depend on the order
 * of the search, so generation is byte-identical whichever runs.
 *
 * count(R, C, values, sums, limit, forbid_cell, forbid_value) -> int. ``values`` lists the
 * R*C cells row-major (0 = empty), ``sums`` the line sums (rows, then columns);
 * ``forbid_value`` is ruled out at ``forbid_cell`` (-1: none). blank_while_unique runs
 * task.blank_while_unique's loop over these searches, saving a Python call and a grid
 * rebuild per search.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>

#define MAX_CELLS 25
#define MAX_LINES 10
#define MAX_SIDE 5

typedef struct {
    int R, C, N, lines;
    int values[MAX_CELLS];
    int row_of[MAX_CELLS], col_of[MAX_CELLS];
    int64_t need[MAX_LINES];
    int empty[MAX_LINES];
    uint64_t unused, mirror; /* bit v / bit N + 1 - v: v unused */
    uint32_t open;           /* bit cell: the cell is empty */
    int forbid_cell, forbid_value;
} Grid;

static void place(Grid *g, int cell, int v, int sign) {
    g->values[cell] = sign > 0 ? v : 0;
    g->open ^= 1U << cell;
    g->unused ^= 1ULL << v;
    g->mirror ^= 1ULL << (g->N + 1 - v);
    int a = g->row_of[cell], b = g->col_of[cell];
    g->need[a] -= sign * v;
    g->need[b] -= sign * v;
    g->empty[a] -= sign;
    g->empty[b] -= sign;
}

/* Per line, the unused numbers one of its empty cells can take; 0 if a line cannot be
 * completed (see Counter._line_masks). */
static int line_masks(const Grid *g, uint64_t *masks) {
    /* low[j], high[j]: sums of the j smallest / largest unused numbers, j < MAX_SIDE (a
     * line has at most MAX_SIDE empty cells) */
    int64_t low[MAX_SIDE], high[MAX_SIDE];
    uint64_t small = g->unused, large = g->unused;
    low[0] = high[0] = 0;
    for (int j = 1; j < MAX_SIDE; j++) {
        low[j] = low[j - 1] + (small ? __builtin_ctzll(small) : 0);
        high[j] = high[j - 1] + (large ? 63 - __builtin_clzll(large) : 0);
        small &= small - 1;
        if (large) large ^= 1ULL << (63 - __builtin_clzll(large));
    }
    for (int line = 0; line < g->lines; line++) {
        int k = g->empty[line];
        int64_t left = g->need[line];
        if (!k) {
            if (left) return 0;
            masks[line] = 0;
            continue;
        }
        int64_t lo = left - high[k - 1], hi = left - low[k - 1];
        if (lo < 1) lo = 1;
        if (hi > g->N) hi = g->N;
        if (lo > hi) return 0;
        uint64_t mask = g->unused & ((2ULL << hi) - (1ULL << lo));
        if (k == 2) { /* v fits only if left - v is another unused number */
            int64_t shift = left - g->N - 1;
            mask &= shift >= 0 ? g->mirror << shift : g->mirror >> -shift;
            if (!(left & 1)) mask &= ~(1ULL << (left >> 1));
        }
        masks[line] = mask;
    }
    return 1;
}

static int64_t search(Grid *g, int64_t limit) {
    uint64_t masks[MAX_LINES];
    if (!line_masks(g, masks)) return 0;
    int cells[MAX_CELLS], n = 0;
    uint64_t fits[MAX_CELLS], once = 0, twice = 0, best_mask = 0;
    int best = -1, best_size = 99;
    for (uint32_t open = g->open; open; open &= open - 1) {
        int cell = __builtin_ctz(open);
        uint64_t mask = masks[g->row_of[cell]] & masks[g->col_of[cell]];
        if (cell == g->forbid_cell) mask &= ~(1ULL << g->forbid_value);
        if (!mask) return 0;
        twice |= once & mask;
        once |= mask;
        cells[n] = cell;
        fits[n++] = mask;
        int size = __builtin_popcountll(mask);
        if (size < best_size) {
            best = cell;
            best_mask = mask;
            best_size = size;
        }
    }
    if (best < 0) return 1; /* full grid, every line at its sum */
    if (g->unused & ~once) return 0;
    uint64_t only = once & ~twice;
    if (best_size > 1 && only) {
        uint64_t single = only & -only;
        for (int i = 0; i < n; i++)
            if (fits[i] & single) {
                best = cells[i];
                break;
            }
        best_mask = single;
    }
    int64_t found = 0;
    while (best_mask && found < limit) {
        int v = __builtin_ctzll(best_mask);
        best_mask &= best_mask - 1;
        place(g, best, v, 1);
        found += search(g, limit - found);
        place(g, best, v, -1);
    }
    return found;
}

static int read_ints(PyObject *seq, int64_t *out, Py_ssize_t n, const char *what) {
    PyObject *fast = PySequence_Fast(seq, what);
    if (!fast) return -1;
    if (PySequence_Fast_GET_SIZE(fast) != n) {
        Py_DECREF(fast);
        PyErr_Format(PyExc_ValueError, "%s: expected %zd values", what, n);
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        out[i] = PyLong_AsLongLong(PySequence_Fast_GET_ITEM(fast, i));
        if (out[i] == -1 && PyErr_Occurred()) {
            Py_DECREF(fast);
            return -1;
        }
    }
    Py_DECREF(fast);
    return 0;
}

/* The grid state of R x C cells ``values`` (0 = empty) under line sums ``sums`` (rows,
 * then columns); -1 with an exception on bad input. */
static int load(Grid *g, int R, int C, PyObject *values_obj, PyObject *sums_obj) {
    if (R < 1 || C < 1 || R > MAX_SIDE || C > MAX_SIDE) {
        PyErr_SetString(PyExc_ValueError, "grid too large");
        return -1;
    }
    int64_t values[MAX_CELLS];
    g->R = R;
    g->C = C;
    g->N = R * C;
    g->lines = R + C;
    if (read_ints(values_obj, values, g->N, "values") < 0 ||
        read_ints(sums_obj, g->need, g->lines, "sums") < 0)
        return -1;
    g->unused = g->mirror = (1ULL << (g->N + 1)) - 2;
    g->open = (1U << g->N) - 1;
    for (int line = 0; line < g->lines; line++) g->empty[line] = 0;
    for (int cell = 0; cell < g->N; cell++) {
        int v = (int)values[cell];
        if (v < 0 || v > g->N) {
            PyErr_SetString(PyExc_ValueError, "value out of range");
            return -1;
        }
        g->values[cell] = 0;
        g->row_of[cell] = cell / C;
        g->col_of[cell] = R + cell % C;
        g->empty[cell / C]++;
        g->empty[R + cell % C]++;
        if (v) place(g, cell, v, 1);
    }
    g->forbid_cell = -1;
    g->forbid_value = 0;
    return 0;
}

static PyObject *count(PyObject *self, PyObject *args) {
    int R, C, forbid_cell, forbid_value;
    long long limit;
    PyObject *values_obj, *sums_obj;
    Grid g;
    if (!PyArg_ParseTuple(args, "iiOOLii", &R, &C, &values_obj, &sums_obj, &limit, &forbid_cell,
                          &forbid_value) ||
        load(&g, R, C, values_obj, sums_obj) < 0)
        return NULL;
    if (forbid_value >= 0 && forbid_value < 64) {
        g.forbid_cell = forbid_cell;
        g.forbid_value = forbid_value;
    }
    return PyLong_FromLongLong(search(&g, limit));
}

static int root(int *group, int line) {
    while (group[line] != line) line = group[line] = group[group[line]];
    return line;
}

/* task.blank_while_unique: empty the cells of ``order`` in turn, each only if no other
 * completion then exists, until ``target`` are empty; a blank whose row and column are not
 * yet linked by blanks needs no search (the sums force it). */
static PyObject *blank_while_unique(PyObject *self, PyObject *args) {
    int R, C, target;
    PyObject *values_obj, *sums_obj, *order_obj;
    Grid g;
    if (!PyArg_ParseTuple(args, "iiOOOi", &R, &C, &values_obj, &sums_obj, &order_obj, &target) ||
        load(&g, R, C, values_obj, sums_obj) < 0)
        return NULL;
    int64_t order[MAX_CELLS];
    Py_ssize_t n = PyObject_Length(order_obj);
    if (n < 0 || n > g.N) return n < 0 ? NULL : PyErr_Format(PyExc_ValueError, "order too long");
    if (read_ints(order_obj, order, n, "order") < 0) return NULL;
    int group[MAX_LINES];
    for (int line = 0; line < g.lines; line++) group[line] = line;
    PyObject *blanked = PyList_New(0);
    if (!blanked) return NULL;
    for (Py_ssize_t i = 0; i < n && PyList_GET_SIZE(blanked) < target; i++) {
        int cell = (int)order[i];
        if (cell < 0 || cell >= g.N || !g.values[cell]) {
            Py_DECREF(blanked);
            return PyErr_Format(PyExc_ValueError, "not a filled cell: %d", cell);
        }
        int a = root(group, g.row_of[cell]), b = root(group, g.col_of[cell]), v = g.values[cell];
        place(&g, cell, v, -1);
        if (a != b) {
            group[a] = b;
        } else {
            g.forbid_cell = cell;
            g.forbid_value = v;
            if (search(&g, 1)) {
                place(&g, cell, v, 1);
                continue;
            }
        }
        PyObject *item = PyLong_FromLong(cell);
        if (!item || PyList_Append(blanked, item) < 0) {
            Py_XDECREF(item);
            Py_DECREF(blanked);
            return NULL;
        }
        Py_DECREF(item);
    }
    return blanked;
}

static PyMethodDef methods[] = {
    {"count", count, METH_VARARGS,
     "count(R, C, values, sums, limit, forbid_cell, forbid_value) -> completions, at most "
     "limit."},
    {"blank_while_unique", blank_while_unique, METH_VARARGS,
     "blank_while_unique(R, C, values, sums, order, target) -> the cells blanked, in order."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_count", "Survo completion counting and blanking (C).", -1, methods,
};

PyMODINIT_FUNC PyInit__count(void) { return PyModule_Create(&module); }
