/* The gazetteer screen in C: the same places as ``normalize.WordScreen``'s numpy code.
 *
 * A text is read once, character by character, straight from the str's own storage (no
 * copy, no encoding). Each character gets its code from the 64k table the Python side
 * builds (``normalize._screen_tables``); the runs of word characters are cut, and a run is
 * kept when it may begin a wanted word:
 *
 * - written as the gazetteer writes a lower-case word: the hash of its length, first two
 *   characters and last one falls in the literals' table;
 * - in capitals: the hash of its consonant classes (repeats merged, a last class of "a"
 *   dropped) and of the kind of its first letter falls in the table of whole keys, or of
 *   begun keys when the word goes on past an apostrophe; a character the tables are unsure
 *   of, or a first letter of no known kind, lets it pass; an elision (L'armée) never does.
 *
 * The rules, the tables and the hashes are the Python side's; this file only walks the
 * text. ``tests/test_normalize.py`` compares both walks on the seeds, the dispatches and
 * random texts.
 *
 * ``find_each`` runs the whole of one batch of ``gazetteer.Matcher.find_each``: the walk
 * above, then at each place it kept, ``Matcher._hits``'s lookups: what the exact check found
 * there, in the matcher's tree (dicts of dicts keyed by pieces of text), with calls back into
 * the matcher's Python methods for what the tree does not hold yet; then the names kept
 * leftmost and longest, as ``Mention`` named tuples. ``tests/test_gazetteer.py`` compares it
 * with the Python loop.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>

#define CLASS_FIELD 0x0F
#define CAPITAL_BIT 0x10
#define UNSURE_BIT 0x20
#define APOSTROPHE_BIT 0x40
#define WORD_CHAR_BIT 0x80
#define SPACE_CODE 0x01
#define PLANE 0x10000

/* what one call needs: the tables (read-only buffers of the bytes the caller passes) and
   the Python helpers for the rare characters beyond the Basic Multilingual Plane */
typedef struct {
    const uint8_t *codes, *kinds, *whole, *begun, *literals, *heads;
    Py_ssize_t key_bits, literal_bits;
    uint64_t multiplier;
    int final_class, pass_all, longest_elision;
    PyObject *elisions, *code_of, *kind_of;
} Tables;

typedef struct {
    int kind;
    const void *data;
    Py_ssize_t length;
} Text;

static inline __attribute__((always_inline)) Py_UCS4 char_at(const Text *t, Py_ssize_t i) {
    return PyUnicode_READ(t->kind, t->data, i);
}

/* the code of a character beyond the plane, from the Python side (-1: error) */
static int __attribute__((noinline)) code_beyond(const Tables *tb, Py_UCS4 c) {
    PyObject *value = PyObject_CallFunction(tb->code_of, "i", (int)c);
    if (value == NULL) return -1;
    long code = PyLong_AsLong(value);
    Py_DECREF(value);
    return (code == -1 && PyErr_Occurred()) ? -1 : (int)code;
}

/* the code of a character: the table's, or the Python side's beyond the plane (-1: error) */
static inline int code_of(const Tables *tb, Py_UCS4 c) {
    return c < PLANE ? tb->codes[c] : code_beyond(tb, c);
}

static int kind_of(const Tables *tb, Py_UCS4 c) {
    if (c < PLANE) return tb->kinds[c];
    PyObject *value = PyObject_CallFunction(tb->kind_of, "i", (int)c);
    if (value == NULL) return -1;
    long kind = PyLong_AsLong(value);
    Py_DECREF(value);
    return (kind == -1 && PyErr_Occurred()) ? -1 : (int)kind;
}

static inline uint64_t literal_slot(const Tables *tb, uint64_t length, uint64_t first,
                                    uint64_t second, uint64_t last) {
    uint64_t value = length * 0x2545F491ULL + first * 0x9E3779B1ULL + second * 0x85EBCA77ULL
                     + last * 0xC2B2AE3DULL;
    return (value >> 11) & (((uint64_t)1 << tb->literal_bits) - 1);
}

/* whether the run [begin, end) is an elision (l, d, qu...): its text case-folded is one */
static int is_elision(const Tables *tb, PyObject *text, Py_ssize_t begin, Py_ssize_t end) {
    PyObject *run = PyUnicode_Substring(text, begin, end);
    if (run == NULL) return -1;
    PyObject *folded = PyObject_CallMethod(run, "casefold", NULL);
    Py_DECREF(run);
    if (folded == NULL) return -1;
    int found = PySet_Contains(tb->elisions, folded);
    Py_DECREF(folded);
    return found;
}

/* whether the run [begin, end), whose first character has ``code``, is kept (-1: error);
   ``unsure``, ``hash`` and ``before_last`` are what the walk over the run gathered */
static inline __attribute__((always_inline)) int run_kept(
    const Tables *tb, PyObject *text, const Text *t, Py_ssize_t begin, Py_ssize_t end, int code,
    int unsure, uint64_t hash, uint64_t before_last, int last_class) {
    Py_UCS4 first = char_at(t, begin);
    Py_ssize_t length = end - begin;
    if (tb->heads[first < PLANE ? first : PLANE - 1]) {
        Py_UCS4 second = length > 1 ? char_at(t, begin + 1) : 0;
        Py_UCS4 last = char_at(t, end - 1);
        if (tb->literals[literal_slot(tb, (uint64_t)length, first, second, last)]) return 1;
    }
    if (!(code & CAPITAL_BIT)) return 0;
    if (tb->pass_all) return 1;
    if (last_class == tb->final_class) hash = before_last;
    int kind = kind_of(tb, first);
    if (kind < 0) return -1;
    uint64_t m = tb->multiplier;
    uint64_t mixed = (hash * m + (uint64_t)kind) * m;
    uint64_t slot = (mixed >> (64 - tb->key_bits)) & (((uint64_t)1 << tb->key_bits) - 1);
    /* a word that goes on past an apostrophe: its first run begins a wanted key */
    int going_on = 0;
    if (end < t->length - 1) {
        int after = code_of(tb, char_at(t, end));
        if (after < 0) return -1;
        if (after & APOSTROPHE_BIT) {
            int next = code_of(tb, char_at(t, end + 1));
            if (next < 0) return -1;
            going_on = (next & WORD_CHAR_BIT) != 0;
        }
    }
    int passed = going_on ? tb->begun[slot] : tb->whole[slot];
    passed = passed || unsure || kind == 0;
    if (passed && going_on && length <= tb->longest_elision) {
        int elision = is_elision(tb, text, begin, end);
        if (elision < 0) return -1;
        if (elision) passed = 0;
    }
    return passed;
}

/* the places one walk found: the starts of the kept runs, and with ``places`` the end of
   each one's piece and of the piece after it (-1 when none follows) */
typedef struct {
    Py_ssize_t *starts, *ends, *nexts;
    Py_ssize_t count, size;
} Found;

static int found_add(Found *f, Py_ssize_t start, Py_ssize_t end, Py_ssize_t next) {
    if (f->count == f->size) {
        Py_ssize_t size = f->size ? 2 * f->size : 64;
        Py_ssize_t *starts = PyMem_Resize(f->starts, Py_ssize_t, size);
        if (starts == NULL) goto memory;
        f->starts = starts;
        Py_ssize_t *ends = PyMem_Resize(f->ends, Py_ssize_t, size);
        if (ends == NULL) goto memory;
        f->ends = ends;
        Py_ssize_t *nexts = PyMem_Resize(f->nexts, Py_ssize_t, size);
        if (nexts == NULL) goto memory;
        f->nexts = nexts;
        f->size = size;
    }
    f->starts[f->count] = start;
    f->ends[f->count] = end;
    f->nexts[f->count] = next;
    f->count++;
    return 0;
memory:
    PyErr_NoMemory();
    return -1;
}

static void found_free(Found *f) {
    PyMem_Free(f->starts);
    PyMem_Free(f->ends);
    PyMem_Free(f->nexts);
}

/* one text's walk, into ``f`` (emptied first): the starts of the kept runs (``places`` 0),
   or the first kept run of each piece of text with the piece's end and the end of the piece
   after it, -1 if none (``places`` 1); -1 on an error */
static inline __attribute__((always_inline)) int walk_kind(
    const Tables *tb, PyObject *text, int places, int kind, Found *f) {
    Text t = {kind, PyUnicode_DATA(text), PyUnicode_GET_LENGTH(text)};
    f->count = 0;
    Py_ssize_t i = 0, n = t.length;
    while (i < n) {
        int code = code_of(tb, char_at(&t, i));
        if (code < 0) return -1;
        if (code < WORD_CHAR_BIT) {
            i++;
            continue;
        }
        /* a run of word characters: its classes hashed as it is read */
        Py_ssize_t begin = i;
        int first_code = code, unsure = 0, last_class = 0;
        uint64_t hash = 0, before_last = 0, power = 1;
        if (first_code & CAPITAL_BIT) {
            while (i < n) {
                int c = i == begin ? first_code : code_of(tb, char_at(&t, i));
                if (c < 0) return -1;
                if (c < WORD_CHAR_BIT) break;
                if (c & UNSURE_BIT) unsure = 1;
                int klass = c & CLASS_FIELD;
                if (klass && klass != last_class) {
                    before_last = hash;
                    hash += (uint64_t)klass * power;
                    power *= tb->multiplier;
                    last_class = klass;
                }
                i++;
            }
        } else {
            /* only a run in capitals is hashed: the others are looked at as written */
            i++;
            while (i < n) {
                int c = code_of(tb, char_at(&t, i));
                if (c < 0) return -1;
                if (c < WORD_CHAR_BIT) break;
                i++;
            }
        }
        int kept = run_kept(tb, text, &t, begin, i, first_code, unsure, hash, before_last,
                            last_class);
        if (kept < 0) return -1;
        if (!kept) continue;
        if (!places) {
            if (found_add(f, begin, -1, -1) < 0) return -1;
            continue;
        }
        /* the piece's end (the first space), then the end of the piece after it */
        Py_ssize_t stop = i;
        while (stop < n) {
            int c = code_of(tb, char_at(&t, stop));
            if (c < 0) return -1;
            if (c == SPACE_CODE) break;
            stop++;
        }
        Py_ssize_t after = stop, next = -1;
        while (after < n) {
            int c = code_of(tb, char_at(&t, after));
            if (c < 0) return -1;
            if (c != SPACE_CODE) break;
            after++;
        }
        if (after < n) {
            next = after;
            while (next < n) {
                int c = code_of(tb, char_at(&t, next));
                if (c < 0) return -1;
                if (c == SPACE_CODE) break;
                next++;
            }
        }
        if (found_add(f, begin, stop, next) < 0) return -1;
        i = stop;  /* one place a piece: the rest of it is not looked at */
    }
    return 0;
}

/* ``walk_kind`` made once for each width of a str's characters (1, 2 or 4 bytes), so that
   reading a character is an array access */
static int walk_text(const Tables *tb, PyObject *text, int places, Found *f) {
    switch (PyUnicode_KIND(text)) {
    case PyUnicode_1BYTE_KIND:
        return walk_kind(tb, text, places, PyUnicode_1BYTE_KIND, f);
    case PyUnicode_2BYTE_KIND:
        return walk_kind(tb, text, places, PyUnicode_2BYTE_KIND, f);
    default:
        return walk_kind(tb, text, places, PyUnicode_4BYTE_KIND, f);
    }
}

static PyObject *list_of(const Py_ssize_t *values, Py_ssize_t count) {
    PyObject *list = PyList_New(count);
    if (list == NULL) return NULL;
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *number = PyLong_FromSsize_t(values[i]);
        if (number == NULL) {
            Py_DECREF(list);
            return NULL;
        }
        PyList_SET_ITEM(list, i, number);
    }
    return list;
}

/* one walk's places as Python lists: the starts, or (starts, ends, nexts) */
static PyObject *lists_of(const Found *f, int places) {
    PyObject *starts = list_of(f->starts, f->count);
    if (!places || starts == NULL) return starts;
    PyObject *ends = list_of(f->ends, f->count);
    PyObject *nexts = ends == NULL ? NULL : list_of(f->nexts, f->count);
    PyObject *result = nexts == NULL ? NULL : PyTuple_Pack(3, starts, ends, nexts);
    Py_DECREF(starts);
    Py_XDECREF(ends);
    Py_XDECREF(nexts);
    return result;
}

static int table(PyObject *value, Py_ssize_t size, const char *name, const uint8_t **out) {
    if (!PyBytes_Check(value) || PyBytes_GET_SIZE(value) != size) {
        PyErr_Format(PyExc_ValueError, "table %s: %zd bytes wanted", name, size);
        return -1;
    }
    *out = (const uint8_t *)PyBytes_AS_STRING(value);
    return 0;
}

/* the tables of the tuple ``normalize.WordScreen`` builds, read into ``tb`` (-1: error) */
static int read_tables(PyObject *spec, Tables *tb) {
    PyObject *codes, *kinds, *whole, *begun, *literals, *heads;
    unsigned long long multiplier;
    if (!PyTuple_Check(spec)) {
        PyErr_SetString(PyExc_TypeError, "tables: a tuple wanted");
        return -1;
    }
    if (!PyArg_ParseTuple(spec, "OOOOOOnnKiiiOOO", &codes, &kinds, &whole, &begun, &literals,
                          &heads, &tb->key_bits, &tb->literal_bits, &multiplier,
                          &tb->final_class, &tb->pass_all, &tb->longest_elision, &tb->elisions,
                          &tb->code_of, &tb->kind_of))
        return -1;
    tb->multiplier = (uint64_t)multiplier;
    if (tb->key_bits < 1 || tb->key_bits > 30 || tb->literal_bits < 1 || tb->literal_bits > 30) {
        PyErr_SetString(PyExc_ValueError, "table sizes out of range");
        return -1;
    }
    if (table(codes, PLANE, "codes", &tb->codes) < 0
        || table(kinds, PLANE, "kinds", &tb->kinds) < 0
        || table(whole, (Py_ssize_t)1 << tb->key_bits, "whole", &tb->whole) < 0
        || table(begun, (Py_ssize_t)1 << tb->key_bits, "begun", &tb->begun) < 0
        || table(literals, (Py_ssize_t)1 << tb->literal_bits, "literals", &tb->literals) < 0
        || table(heads, PLANE, "heads", &tb->heads) < 0)
        return -1;
    if (!PyAnySet_Check(tb->elisions)) {
        PyErr_SetString(PyExc_TypeError, "elisions: a set wanted");
        return -1;
    }
    return 0;
}

/* ``one`` of each of ``texts`` (a sequence of str), as a list; ``one`` gets each text and
   ``state``, and gives a new reference or NULL on an error */
static PyObject *each_text(PyObject *texts, PyObject *(*one)(PyObject *, void *),
                           void *state) {
    PyObject *sequence = PySequence_Fast(texts, "texts: a sequence of str wanted");
    if (sequence == NULL) return NULL;
    Py_ssize_t count = PySequence_Fast_GET_SIZE(sequence);
    PyObject *result = PyList_New(count);
    for (Py_ssize_t k = 0; result != NULL && k < count; k++) {
        PyObject *text = PySequence_Fast_GET_ITEM(sequence, k);
        if (!PyUnicode_Check(text)) {
            PyErr_SetString(PyExc_TypeError, "texts: a sequence of str wanted");
            Py_CLEAR(result);
            break;
        }
        /* held while ``one`` runs (the matcher's Python code could change the sequence) */
        Py_INCREF(text);
        PyObject *answer = one(text, state);
        Py_DECREF(text);
        if (answer == NULL) Py_CLEAR(result);
        else PyList_SET_ITEM(result, k, answer);
    }
    Py_DECREF(sequence);
    return result;
}

/* what ``screen`` needs for each text */
typedef struct {
    Tables tb;
    int places;
    Found found;
} Screening;

static PyObject *screen_one(PyObject *text, void *state) {
    Screening *sc = state;
    if (walk_text(&sc->tb, text, sc->places, &sc->found) < 0) return NULL;
    return lists_of(&sc->found, sc->places);
}

/* screen(tables, texts, places): tables is the tuple ``normalize.WordScreen`` builds */
static PyObject *screen(PyObject *module, PyObject *args) {
    (void)module;
    PyObject *spec, *texts;
    Screening sc = {.found = {NULL, NULL, NULL, 0, 0}};
    if (!PyArg_ParseTuple(args, "OOp", &spec, &texts, &sc.places)) return NULL;
    if (read_tables(spec, &sc.tb) < 0) return NULL;
    PyObject *result = each_text(texts, screen_one, &sc);
    found_free(&sc.found);
    return result;
}

/* the next piece of text from ``end``, as the pattern \s*\S+|\s*\Z matches it: the spaces
   before it and the piece, or the spaces that end the text */
static Py_ssize_t unit_end(PyObject *text, Py_ssize_t end) {
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    while (end < n && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, end))) end++;
    while (end < n && !Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, end))) end++;
    return end;
}

#define JOINER_FLAG 0x01
#define MARK_FLAG 0x02 /* a mark or an apostrophe that a word may hold (not a letter or digit) */
#define APOSTROPHE_FLAG 0x04
#define PLAIN 1 /* in the table of plain ends: a name after it and a space has no article */
#define NOT_PLAIN 2 /* (0: not seen yet) */

/* ``gazetteer._context_start``: where the text the exact check may read before ``at``
   begins (the joiners an article lookback crosses, the word before, one more character) */
static Py_ssize_t context_start(int kind, const void *data, Py_ssize_t at,
                                const uint8_t *flags, Py_ssize_t lookback) {
    Py_ssize_t start = at, floor = at - lookback;
    while (start > 0 && start > floor) {
        Py_UCS4 c = PyUnicode_READ(kind, data, start - 1);
        if (c >= PLANE || !(flags[c] & JOINER_FLAG)) break;
        start--;
    }
    while (start > 0) {
        Py_UCS4 c = PyUnicode_READ(kind, data, start - 1);
        if (!(Py_UNICODE_ISALNUM(c) || (c < PLANE && (flags[c] & MARK_FLAG)))) break;
        start--;
    }
    return start > 0 ? start - 1 : 0;
}

/* what the lookups read and call: the matcher's tree (by window, and by piece and state),
   its plans by piece, its article words, the character tables, and its methods for what
   the tree does not hold yet */
typedef struct {
    PyObject *windows, *places, *plans, *articles;
    const uint8_t *plain, *flags;
    Py_ssize_t window_size, lookback;
    PyObject *root, *closed, *state, *examine;
} Lookups;

/* the tree's entry for the piece at ``at`` and what stands before it, when a cheap look
   tells it (a borrowed reference, or NULL: not known, or an error): a piece none of whose
   words begins a name (``plans``, the matcher's plans by piece, holds none for it) has no
   names whatever stands before it; else the state of what stands before is told by a
   space after a character that ends no article, or after a word the matcher has already
   told an article or not (``articles``), or by an apostrophe. ``tail``: the piece. */
static PyObject *known_root(PyObject *text, Py_ssize_t at, PyObject *tail, const Lookups *lk) {
    const uint8_t *plain = lk->plain, *flags = lk->flags;
    Py_ssize_t lookback = lk->lookback;
    PyObject *known = PyDict_GetItemWithError(lk->plans, tail);
    if (known != NULL && PyTuple_CheckExact(known) && PyTuple_GET_SIZE(known) == 0) {
        return known; /* the empty tuple: no names */
    }
    PyObject *state = NULL;
    if (at >= 1 && !PyErr_Occurred()) {
        int kind = PyUnicode_KIND(text);
        const void *data = PyUnicode_DATA(text);
        Py_UCS4 before = PyUnicode_READ(kind, data, at - 1);
        if (before == ' ') {
            /* after a space after a character that ends no article: the state is 0 */
            Py_UCS4 end = at >= 2 ? PyUnicode_READ(kind, data, at - 2) : PLANE;
            if (end < PLANE && plain[end] == PLAIN) {
                state = PyLong_FromLong(0);
            } else if (end < PLANE && plain[end] == NOT_PLAIN) {
                /* after a space after a word the matcher knows (an article or not), from
                   the space before that word: as ``Matcher._state`` reads it */
                Py_ssize_t floor = at - lookback - 1 > 0 ? at - lookback - 1 : 0;
                Py_ssize_t space = at - 2;
                while (space >= floor && PyUnicode_READ(kind, data, space) != ' ') space--;
                if (space >= floor) {
                    PyObject *word = PyUnicode_Substring(text, space + 1, at - 1);
                    PyObject *article =
                        word == NULL ? NULL : PyDict_GetItemWithError(lk->articles, word);
                    Py_XDECREF(word);
                    if (article == Py_True) state = PyLong_FromSsize_t(at - space - 1);
                    else if (article == Py_False) state = PyLong_FromLong(0);
                }
            }
        } else if (before < PLANE && (flags[before] & APOSTROPHE_FLAG)) {
            /* after an apostrophe: the state is the text from the context's start */
            Py_ssize_t from = context_start(kind, data, at, flags, lookback);
            state = PyUnicode_Substring(text, from, at);
        }
    }
    if (state == NULL) return NULL;
    PyObject *key = PyTuple_Pack(2, tail, state);
    Py_DECREF(state);
    if (key == NULL) return NULL;
    PyObject *node = PyDict_GetItemWithError(lk->places, key);
    Py_DECREF(key);
    return node;
}

/* the names of ``found`` ((start, end, entry) tuples) that a reader keeps: leftmost first,
   then longest; a name inside or across a kept one is dropped */
static PyObject *leftmost_longest(PyObject *found) {
    Py_ssize_t count = PyList_GET_SIZE(found);
    PyObject *kept = PyList_New(0);
    if (kept == NULL || count == 0) return kept;
    Py_ssize_t *order = PyMem_New(Py_ssize_t, count);
    Py_ssize_t *starts = PyMem_New(Py_ssize_t, count);
    Py_ssize_t *ends = PyMem_New(Py_ssize_t, count);
    if (order == NULL || starts == NULL || ends == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *hit = PyList_GET_ITEM(found, i);
        starts[i] = PyLong_AsSsize_t(PyTuple_GET_ITEM(hit, 0));
        ends[i] = PyLong_AsSsize_t(PyTuple_GET_ITEM(hit, 1));
        if (PyErr_Occurred()) goto done;
        /* insertion sort, stable: by start, then by end from the last */
        Py_ssize_t j = i;
        while (j > 0 && (starts[order[j - 1]] > starts[i]
                         || (starts[order[j - 1]] == starts[i] && ends[order[j - 1]] < ends[i]))) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = i;
    }
    Py_ssize_t reach = -1;
    for (Py_ssize_t k = 0; k < count; k++) {
        Py_ssize_t i = order[k];
        if (starts[i] < reach) continue;
        if (PyList_Append(kept, PyList_GET_ITEM(found, i)) < 0) goto done;
        reach = ends[i];
    }
    PyMem_Free(order);
    PyMem_Free(starts);
    PyMem_Free(ends);
    return kept;
done:
    PyMem_Free(order);
    PyMem_Free(starts);
    PyMem_Free(ends);
    Py_DECREF(kept);
    return NULL;
}

/* the lookups' tuple, as ``Matcher._find_batch`` builds it, read into ``lk`` (-1: error) */
static int read_lookups(PyObject *spec, Lookups *lk) {
    PyObject *plain_ends;
    Py_ssize_t flags_size;
    if (!PyTuple_Check(spec)) {
        PyErr_SetString(PyExc_TypeError, "lookups: a tuple wanted");
        return -1;
    }
    if (!PyArg_ParseTuple(spec, "O!O!O!O!O!y#nnOOOO", &PyDict_Type, &lk->windows, &PyDict_Type,
                          &lk->places, &PyDict_Type, &lk->plans, &PyDict_Type, &lk->articles,
                          &PyByteArray_Type, &plain_ends, &lk->flags, &flags_size,
                          &lk->window_size, &lk->lookback, &lk->root, &lk->closed, &lk->state,
                          &lk->examine))
        return -1;
    if (flags_size != PLANE || PyByteArray_GET_SIZE(plain_ends) != PLANE) {
        PyErr_SetString(PyExc_ValueError, "the character tables: 65,536 bytes each wanted");
        return -1;
    }
    lk->plain = (const uint8_t *)PyByteArray_AS_STRING(plain_ends);
    return 0;
}

/* the names at the place ``at`` (its piece, ``tail``, ends at ``reach``, the piece after it
   at ``after``, or -1), by ``Matcher._hits``'s rules (see there): the tree of what the exact
   check found is looked up here; what it does not hold yet is asked of the matcher's
   methods (root, closed, state, examine), which fill it. A new reference to the tree's
   tuple of (start, end, entry), offsets from the place; NULL on an error. */
static PyObject *names_at(PyObject *text, Py_ssize_t at, Py_ssize_t reach, Py_ssize_t after,
                          PyObject *tail, const Lookups *lk) {
    Py_ssize_t length = PyUnicode_GET_LENGTH(text);
    /* most places follow a space after a character that ends no article, or an
       apostrophe: the piece and a short look back find the tree's entry */
    PyObject *node = known_root(text, at, tail, lk);
    if (node == NULL && PyErr_Occurred()) return NULL;
    Py_XINCREF(node);
    /* else most are found again with the same text before them and the same piece */
    PyObject *window = Py_None;
    Py_INCREF(window);
    if (node == NULL && at >= lk->window_size) {
        Py_DECREF(window);
        window = PyUnicode_Substring(text, at - lk->window_size, reach);
        if (window == NULL) return NULL;
        node = PyDict_GetItemWithError(lk->windows, window);
        if (node == NULL && PyErr_Occurred()) {
            Py_DECREF(window);
            return NULL;
        }
        Py_XINCREF(node);
    }
    if (node == NULL) node = PyObject_CallFunction(lk->root, "OnnO", text, at, reach, window);
    Py_DECREF(window);
    if (node == NULL || !PyDict_CheckExact(node)) return node;
    /* the next piece (the screen found its end), then any others */
    Py_ssize_t end = after < 0 ? length : after;
    PyObject *previous = tail;
    Py_INCREF(previous);
    PyObject *unit = PyUnicode_Substring(text, reach, end);
    PyObject *parent = node; /* owns the reference */
    node = NULL;
    while (unit != NULL) {
        PyObject *child = PyDict_GetItemWithError(parent, unit);
        if (child == NULL) break; /* new in the tree, or an error */
        if (!PyDict_CheckExact(child)) {
            node = child;
            Py_INCREF(node);
            break;
        }
        Py_INCREF(child);
        Py_DECREF(parent);
        parent = child;
        Py_DECREF(previous);
        previous = unit;
        Py_ssize_t next = unit_end(text, end);
        unit = PyUnicode_Substring(text, end, next);
        end = next;
    }
    if (node == NULL && unit != NULL && !PyErr_Occurred()) {
        Py_ssize_t stop = end - PyUnicode_GET_LENGTH(unit);
        node = PyObject_CallFunction(lk->closed, "OOnnnOO", parent, text, at, reach, stop, unit,
                                     previous);
        if (node == Py_None) {
            Py_DECREF(node);
            node = NULL;
            PyObject *before = PyObject_CallFunction(lk->state, "On", text, at);
            if (before != NULL) {
                node = PyObject_CallFunction(lk->examine, "OnnOO", text, at, reach, tail, before);
            }
            Py_XDECREF(before);
        }
    }
    Py_XDECREF(previous);
    Py_XDECREF(unit);
    Py_DECREF(parent);
    return node;
}

/* the names found at each place of ``f`` in ``text`` (``names_at``), kept leftmost first
   and longest: a list of (start, end, entry). */
static PyObject *find_in(PyObject *text, const Found *f, const Lookups *lk) {
    Py_ssize_t length = PyUnicode_GET_LENGTH(text);
    PyObject *found = PyList_New(0);
    if (found == NULL) return NULL;
    for (Py_ssize_t k = 0; k < f->count; k++) {
        Py_ssize_t at = f->starts[k], reach = f->ends[k], after = f->nexts[k];
        if (at < 0 || reach < at || reach > length || after > length) {
            PyErr_SetString(PyExc_ValueError, "a place outside the text");
            goto error;
        }
        /* the piece at the place, made once: the key of its entry, the first piece read,
           and what the exact check examines */
        PyObject *tail = PyUnicode_Substring(text, at, reach);
        PyObject *node = tail == NULL ? NULL : names_at(text, at, reach, after, tail, lk);
        Py_XDECREF(tail);
        if (node == NULL) goto error;
        /* the names there: (start, end, entry), offsets from the place */
        if (!PyTuple_Check(node)) {
            Py_DECREF(node);
            PyErr_SetString(PyExc_TypeError, "a place's names: a tuple wanted");
            goto error;
        }
        for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(node); i++) {
            PyObject *hit = PyTuple_GET_ITEM(node, i);
            Py_ssize_t first, last;
            PyObject *entry;
            if (!PyArg_ParseTuple(hit, "nnO", &first, &last, &entry)) {
                Py_DECREF(node);
                goto error;
            }
            PyObject *moved = Py_BuildValue("nnO", at + first, at + last, entry);
            if (moved == NULL || PyList_Append(found, moved) < 0) {
                Py_XDECREF(moved);
                Py_DECREF(node);
                goto error;
            }
            Py_DECREF(moved);
        }
        Py_DECREF(node);
    }
    PyObject *kept = leftmost_longest(found);
    Py_DECREF(found);
    return kept;
error:
    Py_DECREF(found);
    return NULL;
}

/* the names of an entry's fields a mention takes (made when the module loads) */
static PyObject *kind_name, *target_name;

/* a Mention (a named tuple: start, end, surface, kind, target) of a name kept in ``text`` */
static PyObject *mention_of(PyTypeObject *type, PyObject *text, PyObject *hit) {
    Py_ssize_t start = PyLong_AsSsize_t(PyTuple_GET_ITEM(hit, 0));
    Py_ssize_t end = PyLong_AsSsize_t(PyTuple_GET_ITEM(hit, 1));
    if (PyErr_Occurred()) return NULL;
    PyObject *entry = PyTuple_GET_ITEM(hit, 2);
    PyObject *surface = PyUnicode_Substring(text, start, end);
    PyObject *kind = surface == NULL ? NULL : PyObject_GetAttr(entry, kind_name);
    PyObject *target = kind == NULL ? NULL : PyObject_GetAttr(entry, target_name);
    /* as tuple.__new__ makes an instance of a subclass */
    PyObject *mention = target == NULL ? NULL : type->tp_alloc(type, 5);
    if (mention == NULL) {
        Py_XDECREF(surface);
        Py_XDECREF(kind);
        Py_XDECREF(target);
        return NULL;
    }
    PyObject *fields[5] = {PyTuple_GET_ITEM(hit, 0), PyTuple_GET_ITEM(hit, 1), surface, kind,
                           target};
    Py_INCREF(fields[0]);
    Py_INCREF(fields[1]);
    for (int i = 0; i < 5; i++) PyTuple_SET_ITEM(mention, i, fields[i]);
    return mention;
}

/* what ``find_each`` needs for each text */
typedef struct {
    Tables tb;
    Lookups lk;
    PyTypeObject *mention;
    Found found;
} Finding;

/* the names of one text, as mentions */
static PyObject *find_one(PyObject *text, void *state) {
    Finding *fi = state;
    if (walk_text(&fi->tb, text, 1, &fi->found) < 0) return NULL;
    PyObject *kept = fi->found.count ? find_in(text, &fi->found, &fi->lk) : PyList_New(0);
    for (Py_ssize_t i = 0; kept != NULL && i < PyList_GET_SIZE(kept); i++) {
        PyObject *mention = mention_of(fi->mention, text, PyList_GET_ITEM(kept, i));
        if (mention == NULL) Py_CLEAR(kept);
        else PyList_SetItem(kept, i, mention); /* the hit's tuple goes */
    }
    return kept;
}

/* find_each(tables, texts, lookups, mention): ``Matcher.find_each`` for one batch of texts:
   the screen's walk, the lookups at its places, the names kept as Mentions, for each text */
static PyObject *find_each(PyObject *module, PyObject *args) {
    (void)module;
    PyObject *spec, *texts, *lookups;
    Finding fi = {.found = {NULL, NULL, NULL, 0, 0}};
    if (!PyArg_ParseTuple(args, "OOOO!", &spec, &texts, &lookups, &PyType_Type, &fi.mention))
        return NULL;
    if (!PyType_IsSubtype(fi.mention, &PyTuple_Type)
        || fi.mention->tp_itemsize != sizeof(PyObject *)) {
        PyErr_SetString(PyExc_TypeError, "mention: a subclass of tuple wanted");
        return NULL;
    }
    if (read_tables(spec, &fi.tb) < 0 || read_lookups(lookups, &fi.lk) < 0) return NULL;
    PyObject *result = each_text(texts, find_one, &fi);
    found_free(&fi.found);
    return result;
}

static PyMethodDef methods[] = {
    {"screen", screen, METH_VARARGS,
     "screen(tables, texts, places) -> for each text, the kept starts, or with places the "
     "(starts, ends, nexts) of the first kept run of each piece of text"},
    {"find_each", find_each, METH_VARARGS,
     "find_each(tables, texts, lookups, mention) -> for each text, its names as mentions: "
     "leftmost first and longest, none inside or across another"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "_screen",
    .m_doc = "The gazetteer pass's hot loops, in C: the screen's walk and the lookups.",
    .m_size = -1,
    .m_methods = methods,
};

/* the version of the calls above: the Python side uses this module only when it is the one
   it was written for (a build left from older sources is not used) */
#define INTERFACE 4

PyMODINIT_FUNC PyInit__screen(void) {
    if (kind_name == NULL) kind_name = PyUnicode_InternFromString("kind");
    if (target_name == NULL) target_name = PyUnicode_InternFromString("target");
    if (kind_name == NULL || target_name == NULL) return NULL;
    PyObject *made = PyModule_Create(&module);
    if (made != NULL && PyModule_AddIntConstant(made, "INTERFACE", INTERFACE) < 0) {
        Py_DECREF(made);
        return NULL;
    }
    return made;
}
