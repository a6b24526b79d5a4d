/* The shortest-path instance sampler of weighted_paths.py (sample, _graph, _plant,
 * _cheapest) in C, drawing the same digits from the same random bits.
 *
 * Why: the Python sampler walks every edge five times (build, weights, breadth-first plant,
 * Dijkstra, payload) at ~0.1-0.2 us a step, about 45 us of a level-10 problem; here it is
 * a few microseconds. The Python sampler stays the reference (and the fallback where this
 * module was not compiled); both give byte-identical instances.
 *
 * sample(bits, nbits, n, m, max_weight, graph_bits, weight_bits, source_bits, extra,
 *        attempts, table, stride) -> None | used | (edges, source, target, distance, path,
 *        used)
 *
 * ``bits`` holds the next ``nbits`` bits of the problem's HashRandom stream, little-endian:
 * each rng.getrandbits(k) of the Python sampler takes the next k of them, and a Draws over
 * that number takes its digits by division, as divmod does. None: the bits ran out before
 * an answer (the caller draws more and calls again); an int: no instance in ``attempts``
 * graphs, after that many bits; else the instance and the number of bits it used.
 * ``extra`` is _extra_draws(n, m); ``table`` (bytes or None) is _small_graphs(n, m),
 * ``stride`` bytes a graph: m pairs (a, b), the number of sources, then the sources.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#define MAX_NODES 40
#define MAX_EDGES (MAX_NODES * (MAX_NODES - 1) / 2)
#define MAX_WEIGHT (1 << 20) /* route weights stay far inside an int */
#define PAIR_BATCH 12 /* extra pairs drawn at a time (up to 4 a division) */

typedef struct {
    const unsigned char *bytes;
    Py_ssize_t nbits, pos;
} Stream;

typedef struct {
    uint32_t *limbs; /* little-endian, only the first `size` may be nonzero */
    Py_ssize_t size;
} Draws;

/* The next k bits of the stream as a Draws (rng.getrandbits(k)); 0 when they ran out. */
static int take(Stream *s, Py_ssize_t k, Draws *d, uint32_t *limbs) {
    if (s->pos + k > s->nbits)
        return 0;
    Py_ssize_t count = (k + 31) / 32;
    for (Py_ssize_t j = 0; j < count; j++) {
        Py_ssize_t bit = s->pos + 32 * j, byte = bit / 8, end = (s->nbits + 7) / 8;
        uint64_t word = 0;
        for (int b = 0; b < 5 && byte + b < end; b++)
            word |= (uint64_t)s->bytes[byte + b] << (8 * b);
        limbs[j] = (uint32_t)(word >> (bit % 8));
    }
    if (k % 32)
        limbs[count - 1] &= ((uint32_t)1 << (k % 32)) - 1;
    while (count && !limbs[count - 1])
        count--;
    d->limbs = limbs;
    d->size = count;
    s->pos += k;
    return 1;
}

/* divmod(value, n) for 1 <= n < 2**32: the value becomes the quotient, the remainder is
 * returned. */
static uint64_t below(Draws *d, uint64_t n) {
    uint64_t rem = 0;
    for (Py_ssize_t j = d->size - 1; j >= 0; j--) {
        uint64_t cur = (rem << 32) | d->limbs[j];
        d->limbs[j] = (uint32_t)(cur / n);
        rem = cur % n;
    }
    while (d->size && !d->limbs[d->size - 1])
        d->size--;
    return rem;
}

/* The next ``count`` digits, of radices ``radix[0..count)``, as that many below() calls
 * give them, with one division of the long number per group of radices whose product fits
 * in 32 bits: x = q * R + r with R = r1 r2 ... makes x's digits r's, then q's. */
static void digits(Draws *d, const int *radix, int count, int *out) {
    for (int k = 0; k < count;) {
        uint64_t product = (uint64_t)radix[k];
        int end = k + 1;
        while (end < count && product * (uint64_t)radix[end] <= UINT32_MAX)
            product *= (uint64_t)radix[end++];
        uint32_t rest = (uint32_t)below(d, product);
        for (; k < end; k++) {
            out[k] = (int)(rest % (uint32_t)radix[k]);
            rest /= (uint32_t)radix[k];
        }
    }
}

typedef struct {
    int n, m;
    int a[MAX_EDGES], b[MAX_EDGES], w[MAX_EDGES], radix[MAX_EDGES];
    int degree[MAX_NODES];
    int to[MAX_NODES][MAX_NODES - 1], edge[MAX_NODES][MAX_NODES - 1]; /* links */
    int sources[MAX_NODES], nsources;
} Graph;

static void build_links(Graph *g) {
    memset(g->degree, 0, sizeof g->degree);
    for (int i = 0; i < g->m; i++) {
        int a = g->a[i], b = g->b[i];
        g->to[a][g->degree[a]] = b;
        g->edge[a][g->degree[a]++] = i;
        g->to[b][g->degree[b]] = a;
        g->edge[b][g->degree[b]++] = i;
    }
}

/* _graph without a table: a random tree plus other pairs; 0 when the budget runs short. */
static int draw_graph(Draws *d, Graph *g, int extra) {
    int n = g->n, m = g->m, size = n * (n - 1) / 2, have = 0;
    unsigned char taken[MAX_NODES * MAX_NODES];
    int every[MAX_EDGES], c = 0;
    memset(taken, 0, (size_t)(n * n));
    for (int a = 0; a < n; a++)
        for (int b = a + 1; b < n; b++)
            every[c++] = a * n + b;
    int radix[MAX_NODES] = {0}, drawn[MAX_NODES];
    for (int i = 1; i < n; i++)
        radix[i - 1] = i;
    digits(d, radix, n - 1, drawn);
    for (int i = 1; i < n; i++) {
        int code = drawn[i - 1] * n + i;
        have += !taken[code];
        taken[code] = 1;
    }
    /* the pairs come in batches: digits drawn past the last one used change nothing, as
     * the graph's number is not drawn from again */
    for (int k = PAIR_BATCH; have < m; k++) {
        if (k == PAIR_BATCH) {
            for (int j = 0; j < PAIR_BATCH; j++)
                radix[j] = size;
            digits(d, radix, PAIR_BATCH, drawn);
            k = 0;
        }
        if (!extra--)
            return 0;
        int code = every[drawn[k]];
        have += !taken[code];
        taken[code] = 1;
    }
    int i = 0;
    for (int k = 0; k < size; k++)
        if (taken[every[k]]) {
            g->a[i] = every[k] / n;
            g->b[i++] = every[k] % n;
        }
    for (int s = 0; s < n; s++)
        g->sources[s] = s;
    g->nsources = n;
    return 1;
}

/* _graph from the table: pairs and sources of the picked graph; 0 for a malformed row. */
static int table_graph(Draws *d, Graph *g, const unsigned char *table, Py_ssize_t count,
                       Py_ssize_t stride) {
    const unsigned char *row = table + stride * (Py_ssize_t)below(d, (uint64_t)count);
    unsigned char taken[MAX_NODES * MAX_NODES] = {0};
    for (int i = 0; i < g->m; i++) {
        int a = g->a[i] = row[2 * i], b = g->b[i] = row[2 * i + 1];
        if (a >= b || b >= g->n || taken[a * g->n + b]++)
            return 0;
    }
    g->nsources = row[2 * g->m];
    if (g->nsources > g->n)
        return 0;
    for (int s = 0; s < g->nsources; s++)
        if ((g->sources[s] = row[2 * g->m + 1 + s]) >= g->n)
            return 0;
    return 1;
}

/* _plant: a target made by redrawing one lateral edge's weight, or -1. */
static int plant(Draws *d, Graph *g, int source, int max_weight) {
    int hop[MAX_NODES], best[MAX_NODES], order[MAX_NODES], n = g->n, count = 1;
    int lu[MAX_EDGES], lv[MAX_EDGES], li[MAX_EDGES], lateral = 0;
    for (int v = 0; v < n; v++)
        hop[v] = -1, best[v] = 0;
    hop[source] = 0;
    order[0] = source;
    for (int k = 0; k < count; k++) {
        int u = order[k], down = hop[u] + 1, here = best[u];
        for (int j = 0; j < g->degree[u]; j++) {
            int v = g->to[u][j], i = g->edge[u][j];
            if (hop[v] < 0) {
                hop[v] = down;
                best[v] = here + g->w[i];
                order[count++] = v;
            } else if (hop[v] == down) {
                if (here + g->w[i] < best[v])
                    best[v] = here + g->w[i];
            } else if (hop[v] == down - 1 && down - 1 > 1 && u < v) {
                lu[lateral] = u, lv[lateral] = v, li[lateral++] = i;
            }
        }
    }
    int cu[MAX_EDGES], cv[MAX_EDGES], ci[MAX_EDGES], candidates = 0, depth = 0;
    for (int k = lateral - 1; k >= 0; k--) {
        int a = lu[k], b = lv[k];
        if (hop[a] < depth)
            break;
        if (best[b] - best[a] >= 2) {
            cu[candidates] = a, cv[candidates] = b, ci[candidates++] = li[k];
            depth = hop[a];
        } else if (best[a] - best[b] >= 2) {
            cu[candidates] = b, cv[candidates] = a, ci[candidates++] = li[k];
            depth = hop[a];
        }
    }
    if (!candidates)
        return -1;
    int k = (int)below(d, (uint64_t)candidates), u = cu[k], v = cv[k];
    int room = best[v] - best[u] - 1;
    g->w[ci[k]] = 1 + (int)below(d, (uint64_t)(room < max_weight ? room : max_weight));
    return v;
}

/* _cheapest: Dijkstra over a binary heap of (distance, node) keys, distance * 64 + node, so
 * the heap pops what Python's heap of tuples pops, stale entries included; fills path
 * (source first) and returns the distance. */
static int cheapest(Graph *g, int source, int target, int *path, int *length) {
    int64_t dist[MAX_NODES], heap[2 * MAX_EDGES + 1]; /* a push per directed edge, at most */
    int parent[MAX_NODES], n = g->n, size = 0;
    for (int v = 0; v < n; v++)
        dist[v] = INT64_MAX, parent[v] = -1;
    dist[source] = 0;
    heap[size++] = source;
    while (size) {
        int64_t top = heap[0], last = heap[--size];
        int hole = 0;
        for (int child; (child = 2 * hole + 1) < size; hole = child) {
            if (child + 1 < size && heap[child + 1] < heap[child])
                child++;
            if (heap[child] >= last)
                break;
            heap[hole] = heap[child];
        }
        heap[hole] = last;
        int u = (int)(top & 63);
        int64_t d = top >> 6;
        if (u == target)
            break;
        if (d > dist[u])
            continue;
        for (int j = 0; j < g->degree[u]; j++) {
            int v = g->to[u][j];
            int64_t through = d + g->w[g->edge[u][j]];
            if (through < dist[v]) {
                dist[v] = through, parent[v] = u;
                int at = size++;
                int64_t key = through * 64 + v;
                for (; at && heap[(at - 1) / 2] > key; at = (at - 1) / 2)
                    heap[at] = heap[(at - 1) / 2];
                heap[at] = key;
            }
        }
    }
    int reversed[MAX_NODES], count = 0;
    for (int v = target; v != source; v = parent[v])
        reversed[count++] = v;
    reversed[count++] = source;
    for (int k = 0; k < count; k++)
        path[k] = reversed[count - 1 - k];
    *length = count;
    return (int)dist[target];
}

static PyObject *instance(Graph *g, int source, int target, int distance, int *path, int length,
                          Py_ssize_t used) {
    PyObject *edges = PyList_New(g->m), *route = PyList_New(length);
    if (!edges || !route)
        goto fail;
    for (int i = 0; i < g->m; i++) {
        PyObject *e = PyList_New(3);
        if (!e)
            goto fail;
        PyList_SET_ITEM(edges, i, e); /* owned by edges from here */
        int fields[3] = {g->a[i], g->b[i], g->w[i]};
        for (int f = 0; f < 3; f++) {
            PyObject *x = PyLong_FromLong(fields[f]);
            if (!x)
                goto fail;
            PyList_SET_ITEM(e, f, x);
        }
    }
    for (int k = 0; k < length; k++) {
        PyObject *v = PyLong_FromLong(path[k]);
        if (!v)
            goto fail;
        PyList_SET_ITEM(route, k, v);
    }
    return Py_BuildValue("(NiiiNn)", edges, source, target, distance, route, used);
fail:
    Py_XDECREF(edges);
    Py_XDECREF(route);
    return NULL;
}

static PyObject *sample(PyObject *self, PyObject *args) {
    Py_buffer bits, table = {0};
    Py_ssize_t nbits, graph_bits, weight_bits, source_bits, stride;
    int n, m, max_weight, extra, attempts;
    PyObject *table_obj;
    if (!PyArg_ParseTuple(args, "y*niiinnniiOn", &bits, &nbits, &n, &m, &max_weight,
                          &graph_bits, &weight_bits, &source_bits, &extra, &attempts,
                          &table_obj, &stride))
        return NULL;
    PyObject *result = NULL;
    if (table_obj != Py_None && PyObject_GetBuffer(table_obj, &table, PyBUF_SIMPLE) < 0)
        goto done;
    Py_ssize_t longest = graph_bits > weight_bits ? graph_bits : weight_bits;
    longest = longest > source_bits ? longest : source_bits;
    if (n < 2 || n > MAX_NODES || m < n - 1 || m > n * (n - 1) / 2 || max_weight < 1 ||
        max_weight > MAX_WEIGHT || extra < 0 ||
        nbits < 0 || nbits > 8 * bits.len || graph_bits < 1 || weight_bits < 1 ||
        source_bits < 1 || (table.buf && (stride < 2 * m + 1 + n || table.len % stride ||
                                          !table.len || table.len / stride > INT_MAX))) {
        PyErr_SetString(PyExc_ValueError, "no such sampler configuration");
        goto done;
    }
    uint32_t *limbs = PyMem_Malloc(sizeof(uint32_t) * (size_t)(longest / 32 + 1));
    Graph *g = PyMem_Malloc(sizeof(Graph));
    if (!limbs || !g) {
        PyErr_NoMemory();
        goto freed;
    }
    Stream s = {bits.buf, nbits, 0};
    Draws d;
    g->n = n, g->m = m;
    for (int attempt = 0; attempt < attempts; attempt++) {
        if (!take(&s, graph_bits, &d, limbs))
            goto short_of_bits;
        if (table.buf) {
            if (!table_graph(&d, g, table.buf, table.len / stride, stride)) {
                PyErr_SetString(PyExc_ValueError, "a malformed graph table");
                goto freed;
            }
        } else if (!draw_graph(&d, g, extra)) {
            continue;
        }
        build_links(g);
        if (!take(&s, weight_bits, &d, limbs))
            goto short_of_bits;
        for (int i = 0; i < m; i++)
            g->radix[i] = max_weight;
        digits(&d, g->radix, m, g->w);
        for (int i = 0; i < m; i++)
            g->w[i] += 1;
        while (g->nsources) {
            if (!take(&s, source_bits, &d, limbs))
                goto short_of_bits;
            int k = (int)below(&d, (uint64_t)g->nsources), source = g->sources[k];
            g->sources[k] = g->sources[--g->nsources];
            int target = plant(&d, g, source, max_weight);
            if (target >= 0) {
                int path[MAX_NODES], length, distance = cheapest(g, source, target, path, &length);
                result = instance(g, source, target, distance, path, length, s.pos);
                goto freed;
            }
        }
    }
    result = PyLong_FromSsize_t(s.pos);
    goto freed;
short_of_bits:
    result = Py_NewRef(Py_None);
freed:
    PyMem_Free(limbs);
    PyMem_Free(g);
done:
    PyBuffer_Release(&bits);
    if (table.buf)
        PyBuffer_Release(&table);
    return result;
}

static PyMethodDef methods[] = {
    {"sample", sample, METH_VARARGS,
     "sample(bits, nbits, n, m, max_weight, graph_bits, weight_bits, source_bits, extra, "
     "attempts, table, stride) -> None (short of bits) | bits used (no instance) | (edges, "
     "source, target, distance, path, bits used)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_paths", "The weighted shortest-path sampler (C).", -1, methods,
};

PyMODINIT_FUNC PyInit__paths(void) { return PyModule_Create(&module); }
