/* Every solution of sum_t c_t * d_t = 0 over distinct digits d_t: the cryptarithm search of
 * linear.py in C.
 *
 * Why: the numpy search costs a fixed handful of vectorised calls per letter, 100-500 us a
 * puzzle, several times a whole puzzle of the peer generators; a depth-first loop in C
 * visits the same partial assignments 5 to 20 times faster. The Python search stays the
 * reference (and the fallback where this module was not compiled); both return the
 * solutions in the same order, lexicographic over the letters' digits, so generation is
 * byte-identical whichever runs. agreement() packs, per letter, which solutions give it
 * its true digit, for the hints loop of task.py (numpy's packbits where not compiled).
 *
 * solutions(a, b, lows, allowed, factor) -> bytearray, one row of len(a) digits per
 * solution. Letter t's coefficient is a[t] * f + b[t], where f is the digit of letter 0 when
 * ``factor`` is true (its own term is then (a[0] * f + b[0]) * f) and 1 otherwise; lows[t]
 * is the letter's smallest digit (1 for a leading letter); allowed[t] the bitmask of digits
 * it may take (a hint leaves one). A letter's digit is kept only if the letters after it can
 * still bring the sum to 0, the bounds being those of linear.py (each later letter ranging
 * over lows[t]..9 independently), so exactly the same partial assignments survive.
 * Coefficients are bounded by MAX_COEF so that no sum overflows 64 bits.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#define MAX_LETTERS 10
#define MAX_COEF 1000000000000000LL /* 10**15: |coef * 9| summed over 10 letters fits */

typedef struct {
    int n;
    int64_t coef[MAX_LETTERS];
    int64_t lo[MAX_LETTERS + 1]; /* range of sum over letters t.. of coef * digit */
    int64_t hi[MAX_LETTERS + 1];
    int allowed[MAX_LETTERS];
    signed char digits[MAX_LETTERS];
    PyObject *out;
} Search;

static int emit(Search *s) {
    Py_ssize_t size = PyByteArray_GET_SIZE(s->out);
    if (PyByteArray_Resize(s->out, size + s->n) < 0) return -1;
    memcpy(PyByteArray_AS_STRING(s->out) + size, s->digits, (size_t)s->n);
    return 0;
}

/* Floor of p / k for k > 0. */
static int64_t floor_div(int64_t p, int64_t k) { return p >= 0 ? p / k : -((k - 1 - p) / k); }

/* The digits d with lo <= need - c * d <= hi, as a bitmask (all or none when c = 0). */
static int fitting(int64_t c, int64_t need, int64_t lo, int64_t hi) {
    if (!c) return need < lo || need > hi ? 0 : 1023;
    int64_t k = c > 0 ? c : -c;
    int64_t low = c > 0 ? need - hi : lo - need, high = c > 0 ? need - lo : hi - need;
    int64_t first = -floor_div(-low, k), last = floor_div(high, k); /* ceil, floor */
    if (first < 0) first = 0;
    if (last > 9) last = 9;
    return first > last ? 0 : (2 << last) - (1 << first);
}

/* Letters t.. must add up to ``need``; ``free`` holds the digits still unused. */
static int dfs(Search *s, int t, int64_t need, int free) {
    int64_t c = s->coef[t];
    int bits = s->allowed[t] & free & fitting(c, need, s->lo[t + 1], s->hi[t + 1]);
    for (; bits; bits &= bits - 1) {
        int d = __builtin_ctz(bits);
        s->digits[t] = (signed char)d;
        if (t + 1 == s->n ? emit(s) < 0 : dfs(s, t + 1, need - c * d, free & ~(1 << d)) < 0)
            return -1;
    }
    return 0;
}

/* Coefficients and suffix bounds for factor digit f, letters ``first``..n - 1. */
static void prepare(Search *s, const int64_t *a, const int64_t *b, const int *lows, int64_t f,
                    int first) {
    s->lo[s->n] = s->hi[s->n] = 0;
    for (int t = s->n - 1; t >= 0; t--) {
        int64_t c = a[t] * f + b[t];
        s->coef[t] = c;
        if (t < first) continue;
        int64_t x = c * lows[t], y = c * 9;
        s->lo[t] = s->lo[t + 1] + (x < y ? x : y);
        s->hi[t] = s->hi[t + 1] + (x < y ? y : x);
    }
}

static int read_ints(PyObject *seq, int64_t *out, int n, const char *what) {
    PyObject *fast = PySequence_Fast(seq, what);
    if (!fast) return -1;
    if (PySequence_Fast_GET_SIZE(fast) != n) {
        Py_DECREF(fast);
        PyErr_Format(PyExc_ValueError, "%s: expected %d values", what, n);
        return -1;
    }
    for (int i = 0; i < n; i++) {
        out[i] = PyLong_AsLongLong(PySequence_Fast_GET_ITEM(fast, i));
        if (out[i] == -1 && PyErr_Occurred()) {
            Py_DECREF(fast);
            return -1;
        }
    }
    Py_DECREF(fast);
    return 0;
}

static PyObject *solutions(PyObject *self, PyObject *args) {
    PyObject *a_obj, *b_obj, *lows_obj, *allowed_obj;
    int factor;
    if (!PyArg_ParseTuple(args, "OOOOp", &a_obj, &b_obj, &lows_obj, &allowed_obj, &factor))
        return NULL;
    Py_ssize_t n = PyObject_Length(a_obj);
    if (n < 0) return NULL;
    if (n < 1 || n > MAX_LETTERS) return PyErr_Format(PyExc_ValueError, "1..10 letters");
    int64_t a[MAX_LETTERS], b[MAX_LETTERS], lows64[MAX_LETTERS], allowed64[MAX_LETTERS];
    if (read_ints(a_obj, a, (int)n, "a") < 0 || read_ints(b_obj, b, (int)n, "b") < 0 ||
        read_ints(lows_obj, lows64, (int)n, "lows") < 0 ||
        read_ints(allowed_obj, allowed64, (int)n, "allowed") < 0)
        return NULL;
    for (int t = 0; t < n; t++)
        if (a[t] > MAX_COEF || a[t] < -MAX_COEF || b[t] > MAX_COEF || b[t] < -MAX_COEF)
            return PyErr_Format(PyExc_ValueError, "coefficients beyond 10**15");
    Search s;
    int lows[MAX_LETTERS];
    s.n = (int)n;
    for (int t = 0; t < s.n; t++) {
        lows[t] = (int)lows64[t];
        s.allowed[t] = (int)(allowed64[t] & 1023);
    }
    s.out = PyByteArray_FromStringAndSize(NULL, 0);
    if (!s.out) return NULL;
    int failed = 0;
    if (!factor) {
        prepare(&s, a, b, lows, 1, 0);
        failed = dfs(&s, 0, 0, 1023) < 0;
    } else {
        for (int f = 0; f < 10 && !failed; f++) {
            if (!(s.allowed[0] >> f & 1)) continue;
            prepare(&s, a, b, lows, f, 1);
            s.digits[0] = (signed char)f;
            int64_t need = -s.coef[0] * f;
            if (s.n == 1)
                failed = need == 0 && emit(&s) < 0;
            else
                failed = dfs(&s, 1, need, 1023 & ~(1 << f)) < 0;
        }
    }
    if (failed) {
        Py_DECREF(s.out);
        return NULL;
    }
    return s.out;
}

/* agreement(rows, truth) -> bytes: per letter (column of ``rows``, one byte a digit), a
 * little-endian bitmask of the rows whose digit is the letter's in ``truth``, each padded to
 * whole bytes; numpy's packbits(rows == truth, axis=0, bitorder="little").T.tobytes(). The
 * hints loop narrows the solutions with these masks. */
static PyObject *agreement(PyObject *self, PyObject *args) {
    Py_buffer rows, truth;
    if (!PyArg_ParseTuple(args, "y*y*", &rows, &truth)) return NULL;
    Py_ssize_t n = truth.len, count = n ? rows.len / n : 0, step = (count + 7) / 8;
    PyObject *out = NULL;
    if (!n || rows.len % n) {
        PyErr_SetString(PyExc_ValueError, "rows do not have one digit per letter");
    } else if ((out = PyBytes_FromStringAndSize(NULL, n * step))) {
        const char *digits = rows.buf, *want = truth.buf;
        unsigned char *bits = (unsigned char *)PyBytes_AS_STRING(out);
        memset(bits, 0, (size_t)(n * step));
        for (Py_ssize_t r = 0; r < count; r++)
            for (Py_ssize_t i = 0; i < n; i++)
                if (digits[r * n + i] == want[i]) bits[i * step + r / 8] |= 1 << (r % 8);
    }
    PyBuffer_Release(&rows);
    PyBuffer_Release(&truth);
    return out;
}

static PyMethodDef methods[] = {
    {"solutions", solutions, METH_VARARGS,
     "solutions(a, b, lows, allowed, factor) -> bytearray of digit rows, lexicographic."},
    {"agreement", agreement, METH_VARARGS,
     "agreement(rows, truth) -> per letter, the rows agreeing with truth as packed bits."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_linear", "Cryptarithm solutions as one linear sum (C).", -1,
    methods,
};

PyMODINIT_FUNC PyInit__linear(void) { return PyModule_Create(&module); }
