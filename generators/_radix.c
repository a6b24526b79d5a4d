/* Pools.pick's digit loop (generators/hashrandom.py) in C: the mixed-radix digits of one
 * integer, each used as an index into its pool.
 *
 * Why: the Python loop costs ~80 ns a digit (a divmod on a big int, a tuple unpack, an
 * append), over a microsecond for a draw of 15 pools; here the integer is divided in place
 * as 32-bit limbs. The Python loop stays the reference (and the fallback where this module
 * was not compiled); both give the same picks.
 *
 * pick(value, pools) -> list
 *
 * ``value`` is a non-negative int of at most MAX_BITS bits, ``pools`` a tuple of non-empty
 * sequences of fewer than 2**32 items each: element i of the result is
 * pools[i][digit i], where digit i is the remainder of dividing by len(pools[i]) what the
 * earlier divisions left (divmod's floor division, the same digits the Python loop takes).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>

#define MAX_BITS 4096
#define MAX_LIMBS (MAX_BITS / 32)

/* value's little-endian 32-bit limbs; their count without leading zeros, or -1 (error). */
static Py_ssize_t limbs_of(PyObject *value, uint32_t *limbs) {
    unsigned char bytes[MAX_BITS / 8];
    if (!PyLong_Check(value)) {
        PyErr_SetString(PyExc_TypeError, "value must be an int");
        return -1;
    }
    if (_PyLong_Sign(value) < 0 || _PyLong_NumBits(value) > MAX_BITS) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_OverflowError, "value must be in 0..2**4096-1");
        return -1;
    }
    Py_ssize_t nbytes = ((Py_ssize_t)_PyLong_NumBits(value) + 7) / 8;
    Py_ssize_t count = (nbytes + 3) / 4;
    memset(bytes, 0, (size_t)count * 4);
#if PY_VERSION_HEX >= 0x030D0000
    if (count && PyLong_AsNativeBytes(value, bytes, count * 4,
                             Py_ASNATIVEBYTES_LITTLE_ENDIAN | Py_ASNATIVEBYTES_UNSIGNED_BUFFER) < 0)
        return -1;
#else
    if (count && _PyLong_AsByteArray((PyLongObject *)value, bytes, (size_t)count * 4, 1, 0) < 0)
        return -1;
#endif
    for (Py_ssize_t j = 0; j < count; j++)
        limbs[j] = (uint32_t)bytes[4 * j] | (uint32_t)bytes[4 * j + 1] << 8 |
                   (uint32_t)bytes[4 * j + 2] << 16 | (uint32_t)bytes[4 * j + 3] << 24;
    return count;
}

/* Divides the limbs in place by `by`; returns the remainder and shortens `count`. */
static uint32_t divide(uint32_t *limbs, Py_ssize_t *count, uint32_t by) {
    uint64_t rem = 0;
    for (Py_ssize_t j = *count - 1; j >= 0; j--) {
        uint64_t cur = rem << 32 | limbs[j];
        limbs[j] = (uint32_t)(cur / by);
        rem = cur % by;
    }
    while (*count && !limbs[*count - 1])
        (*count)--;
    return (uint32_t)rem;
}

static PyObject *pick(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    uint32_t limbs[MAX_LIMBS];
    if (nargs != 2 || !PyTuple_Check(args[1])) {
        PyErr_SetString(PyExc_TypeError, "pick(value, pools) takes an int and a tuple");
        return NULL;
    }
    PyObject *value = args[0], *pools = args[1];
    Py_ssize_t count = limbs_of(value, limbs), n = PyTuple_GET_SIZE(pools);
    if (count < 0)
        return NULL;
    PyObject *out = PyList_New(n);
    if (!out)
        return NULL;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *pool = PyTuple_GET_ITEM(pools, i);
        Py_ssize_t size = PySequence_Size(pool);
        if (size < 0)
            goto fail;
        if (size == 0 || size > (Py_ssize_t)UINT32_MAX) {
            PyErr_SetString(PyExc_ValueError, "every pool must have 1..2**32-1 items");
            goto fail;
        }
        PyObject *item = PySequence_GetItem(pool, (Py_ssize_t)divide(limbs, &count, (uint32_t)size));
        if (!item)
            goto fail;
        PyList_SET_ITEM(out, i, item);
    }
    return out;
fail:
    Py_DECREF(out);
    return NULL;
}

static PyMethodDef methods[] = {
    {"pick", (PyCFunction)(void (*)(void))pick, METH_FASTCALL,
     "pick(value, pools) -> [pools[i][digit i] for each pool]: the mixed-radix digits of value "
     "(radices len(pools[i]), lowest first)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_radix", "Pools.pick's mixed-radix digits (C).", -1, methods,
};

PyMODINIT_FUNC PyInit__radix(void) { return PyModule_Create(&module); }
