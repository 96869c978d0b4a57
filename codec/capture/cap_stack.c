/* Stacks: captured on the hot path as raw return addresses by a bounded
 * frame-pointer walk into a caller-provided array, deduplicated per thread
 * and generation by the XXH3 of the PC array, and turned into Stack records
 * only when the generation is dumped: symbolized then (function, file, line;
 * libbacktrace, else the dynamic symbol table, else a placeholder Go's
 * validator accepts), each frame's strings interned first, then the record
 * written straight into the stacks batch with its frame count reserved as a
 * 10-byte varint and filled in after the frames. */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "cap.h"

#ifdef GT_CAP_HAVE_BACKTRACE
#include <backtrace.h>
#endif

/*-************************************
 *  Capture (hot path)
 **************************************/
static int hex_digit(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

/* The mapping of /proc/self/maps that holds addr, read with read(2) into a
 * fixed buffer and parsed as it streams: "start-end perms ..." per line. */
static int maps_find(uintptr_t addr, uintptr_t *lo, uintptr_t *hi)
{
    int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    char buf[1024];
    uintptr_t v[2] = {0, 0};
    unsigned field = 0; /* 0: start, 1: end, 2: the rest of the line */
    int found = 0;
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        for (ssize_t i = 0; i < n && !found; i++) {
            char c = buf[i];
            int d = hex_digit(c);
            if (c == '\n') {
                field = 0;
                v[0] = v[1] = 0;
            } else if (field < 2 && d >= 0) {
                v[field] = v[field] << 4 | (uintptr_t)d;
            } else if (field == 0 && c == '-') {
                field = 1;
            } else if (field < 2) {
                found = field == 1 && addr >= v[0] && addr < v[1];
                field = 2;
            }
        }
        if (found) break;
    }
    close(fd);
    if (found) {
        *lo = v[0];
        *hi = v[1];
    }
    return found;
}

/* This thread's stack, found without allocating: attach may run inside a
 * signal handler, where malloc (and so pthread_getattr_np, which allocates a
 * CPU set) is not safe. The mapping that holds the current frame; the
 * initial thread's grows down, so its low end is the top minus RLIMIT_STACK,
 * as glibc computes it. Without /proc, pthread_getattr_np. errno is kept. */
void cap_stack_bounds(uintptr_t *lo, uintptr_t *hi)
{
    int saved = errno;
    *lo = *hi = 0;
    if (maps_find((uintptr_t)__builtin_frame_address(0), lo, hi)) {
        struct rlimit rl;
        if ((pid_t)syscall(SYS_gettid) == getpid() && getrlimit(RLIMIT_STACK, &rl) == 0 &&
            rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < *hi && *hi - rl.rlim_cur < *lo)
            *lo = *hi - rl.rlim_cur;
        errno = saved;
        return;
    }
    pthread_attr_t a;
    void *addr = NULL;
    size_t size = 0;
    if (pthread_getattr_np(pthread_self(), &a) == 0) {
        if (pthread_attr_getstack(&a, &addr, &size) == 0) {
            *lo = (uintptr_t)addr;
            *hi = (uintptr_t)addr + size;
        }
        pthread_attr_destroy(&a);
    }
    errno = saved;
}

/* User-space code lies below 2^47 on x86-64 and 2^48 on arm64 (Linux). */
#if UINTPTR_MAX > 0xffffffffu
#define CAP_PC_LIMIT ((uintptr_t)1 << 48)
#else
#define CAP_PC_LIMIT UINTPTR_MAX
#endif

/* Follow saved frame pointers from fp: each frame holds the caller's frame
 * pointer and the return address. Stops at max frames, or when the next
 * frame is not above the current one, misaligned, or off the thread's stack,
 * or the return address cannot be code, so a frame without a frame pointer
 * (libc's) ends the walk safely; one that leaves a plausible pointer in the
 * register can still add a wrong frame, which libunwind would not. */
__attribute__((no_sanitize_address)) size_t cap_fp_walk(uintptr_t *pcs, size_t max, const void *fp, uintptr_t lo,
                                                        uintptr_t hi)
{
    uintptr_t f = (uintptr_t)fp;
    size_t n = 0;
    while (n < max && f >= lo && hi >= 16 && f <= hi - 16 && (f & 7) == 0) {
        const uintptr_t *frame = (const uintptr_t *)f;
        uintptr_t ret = frame[1], next = frame[0];
        if (ret < 4096 || ret >= CAP_PC_LIMIT) break; /* not a code address: a frame without a frame pointer */
        pcs[n++] = ret;
        if (next <= f) break;
        f = next;
    }
    return n;
}

/* libunwind: unw_backtrace() starts inside the capture layer, so the frames
 * up to the API function's return address (read from its frame, which has a
 * frame pointer: the layer is built with them) are dropped. If that address
 * is not among the first few, the stack is not recorded rather than wrong. */
#define CAP_UNW_SLACK 8
size_t cap_unw_walk(cap_unw_fn unw, uintptr_t *pcs, size_t max, const void *fp)
{
    void *buf[CAP_MAX_FRAMES + CAP_UNW_SLACK];
    if (!fp) return 0; /* an event the layer makes itself (a thread's exit) */
    if (max > CAP_MAX_FRAMES) max = CAP_MAX_FRAMES;
    int got = unw(buf, (int)(max + CAP_UNW_SLACK));
    uintptr_t ret = ((const uintptr_t *)fp)[1];
    int i = 0;
    while (i < got && i < CAP_UNW_SLACK && (uintptr_t)buf[i] != ret) i++;
    if (i >= got || i >= CAP_UNW_SLACK) return 0;
    size_t n = 0;
    while (i < got && n < max) pcs[n++] = (uintptr_t)buf[i++];
    return n;
}

static cap_unw_fn unw_fn;
static pthread_once_t unw_once = PTHREAD_ONCE_INIT;

/* RTLD_LOCAL: libunwind's own _Unwind_* must not take the place of
 * libgcc's for the rest of the program. Never closed. One walk here, once:
 * libunwind initialises itself lazily on a thread's first walk, writing a
 * global signal mask before it takes its lock, so first walks of several
 * threads at once race inside it (TSan saw it in the stress); after this
 * one its initialisation is done. */
static void unw_load_once(void)
{
    void *h = dlopen("libunwind.so.8", RTLD_NOW | RTLD_LOCAL);
    if (!h) return;
    void *sym = dlsym(h, "unw_backtrace");
    if (!sym) return;
    cap_unw_fn fn;
    memcpy(&fn, &sym, sizeof fn); /* object to function pointer, as POSIX allows */
    void *warm[4];
    fn(warm, 4);
    unw_fn = fn;
}

cap_unw_fn cap_unw_load(void)
{
    pthread_once(&unw_once, unw_load_once);
    return unw_fn;
}

static cap_stktab *stktab_map(uint32_t slots, uint32_t npcs, int counted)
{
    size_t bytes = sizeof(cap_stktab) + (size_t)slots * sizeof(cap_stk_ent) + (size_t)npcs * sizeof(uintptr_t);
    if (counted && !cap_mem_take(bytes)) return NULL;
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) {
        if (counted) cap_mem_give(bytes);
        return NULL;
    }
    cap_stktab *tab = p;
    tab->slots = slots;
    tab->npcs = npcs;
    tab->bytes = bytes;
    tab->counted = counted;
    tab->pcs = (uintptr_t *)(void *)((uint8_t *)p + (bytes - (size_t)npcs * sizeof(uintptr_t)));
    return tab;
}

/* The entry holding this stack in generation tag, or the empty one where it
 * goes (the table is never full: it grows at 3/4). */
static cap_stk_ent *stk_find(cap_stktab *tab, uint32_t tag, uint64_t h, const uintptr_t *pcs, size_t n)
{
    uint32_t mask = tab->slots - 1;
    for (uint32_t i = (uint32_t)h & mask;; i = (i + 1) & mask) {
        cap_stk_ent *e = &tab->ent[i];
        if (e->gen != tag) return e;
        if (e->hash == h && e->n == n && (n == 0 || memcmp(&tab->pcs[e->off], pcs, n * sizeof *pcs) == 0)) return e;
    }
}

static void stk_put(cap_stktab *tab, cap_stk_ent *e, uint32_t tag, uint64_t h, uint32_t id, const uintptr_t *pcs,
                    size_t n)
{
    e->hash = h;
    e->id = id;
    e->off = tab->used;
    e->n = (uint32_t)n;
    if (n) memcpy(&tab->pcs[tab->used], pcs, n * sizeof *pcs);
    tab->used += (uint32_t)n;
    tab->count++;
    e->gen = tag;
}

/* Room for one more stack of n PCs: a table with twice the entries or PCs
 * (whichever ran out), this generation's entries moved over. Only the owner
 * touches the table of the generation it writes in. NULL at the cap. */
static __attribute__((noinline)) cap_stktab *stk_grow(cap_thread *t, uint64_t gen, size_t n)
{
    cap_stktab *old = t->stk[gen & 1];
    uint32_t slots = old->slots, npcs = old->npcs, tag = (uint32_t)gen;
    if (old->count + 1 > slots / 4 * 3) slots *= 2;
    while (old->used + n > npcs && npcs <= CAP_STK_PCS * CAP_STK_GROW) npcs *= 2;
    if (slots > CAP_STK_SLOTS * CAP_STK_GROW || npcs > CAP_STK_PCS * CAP_STK_GROW) return NULL;
    cap_stktab *tab = stktab_map(slots, npcs, 1);
    if (!tab) return NULL;
    tab->gen = gen;
    for (uint32_t i = 0; i < old->slots; i++) {
        cap_stk_ent *e = &old->ent[i];
        if (e->gen != tag) continue;
        const uintptr_t *pcs = &old->pcs[e->off];
        stk_put(tab, stk_find(tab, tag, e->hash, pcs, e->n), tag, e->hash, e->id, pcs, e->n);
    }
    if (old->counted) cap_mem_give(old->bytes);
    munmap(old, old->bytes);
    t->stk[gen & 1] = tab;
    return tab;
}

uint64_t cap_stack_id(cap_thread *t, uint64_t gen, const uintptr_t *pcs, size_t n)
{
    cap_stktab *tab = t->stk[gen & 1];
    if (GT_UNLIKELY(!tab)) {
        if (!(tab = stktab_map(CAP_STK_SLOTS, CAP_STK_PCS, 0))) {
            cap_count(&t->n_stacks_lost, 1);
            return 0;
        }
        t->stk[gen & 1] = tab;
    }
    if (tab->gen != gen) {
        tab->gen = gen;
        tab->count = tab->used = 0;
    }
    uint64_t h = XXH3_64bits(pcs, n * sizeof *pcs);
    uint32_t tag = (uint32_t)gen;
    cap_stk_ent *e = stk_find(tab, tag, h, pcs, n);
    if (e->gen == tag) return e->id;
    if (GT_UNLIKELY(tab->count + 1 > tab->slots / 4 * 3 || tab->used + n > tab->npcs)) {
        if (!(tab = stk_grow(t, gen, n))) {
            cap_count(&t->n_stacks_lost, 1);
            return 0;
        }
        e = stk_find(tab, tag, h, pcs, n);
    }
    uint64_t id = cap_take_id(&t->kid[gen & 1], &G.stk_next[gen & 1], gen);
    t->kid[gen & 1].next++;
    stk_put(tab, e, tag, h, (uint32_t)id, pcs, n);
    return id;
}

/*-************************************
 *  Symbolization (advancer only), cached per PC for the process
 **************************************/
/* A PC inside inlined code stands for several frames: the innermost function
 * (whose line the PC is on) and the functions it was inlined into. Go's
 * reader keeps one frame per PC (the first definition wins), so the outer
 * levels get synthetic PCs, pc | level << 48: above any user-space address,
 * never equal to a real one, and the same for every stack holding pc. */
#define CAP_INLINE_MAX 8
#define CAP_INLINE_SHIFT 48

typedef struct sym_level {
    char *func, *file;
    uint64_t line;
} sym_level;

typedef struct sym {
    uintptr_t pc;
    unsigned n; /* levels, innermost first */
    sym_level lv[CAP_INLINE_MAX];
} sym;

static sym *syms;
static size_t nsym, capsym; /* open addressing, capsym a power of two */

static char *dupstr(const char *s) { return strdup(s ? s : "?"); }

#ifdef GT_CAP_HAVE_BACKTRACE
static struct backtrace_state *bt;
static int bt_failed;
static void bt_error(void *data, const char *msg, int errnum) { (void)data, (void)msg, (void)errnum; }
static int bt_pcinfo(void *data, uintptr_t pc, const char *file, int line, const char *func)
{
    (void)pc;
    sym *o = data;
    if (!func || o->n == CAP_INLINE_MAX) return 0;
    sym_level *l = &o->lv[o->n++];
    l->func = dupstr(func);
    l->file = dupstr(file);
    l->line = line > 0 ? (uint64_t)line : 1;
    return 0;
}
static void bt_syminfo(void *data, uintptr_t pc, const char *name, uintptr_t val, uintptr_t size)
{
    (void)pc, (void)val, (void)size;
    const char **o = data;
    if (name) *o = name;
}
#endif

static void symbolize(uintptr_t pc, sym *out)
{
    memset(out, 0, sizeof *out);
    out->pc = pc;
    const char *func = NULL;
#ifdef GT_CAP_HAVE_BACKTRACE
    if (!bt && !bt_failed) {
        bt = backtrace_create_state(NULL, 1, bt_error, NULL);
        bt_failed = !bt;
    }
    if (bt) {
        backtrace_pcinfo(bt, pc, bt_pcinfo, bt_error, out);
        if (out->n) return;
        backtrace_syminfo(bt, pc, bt_syminfo, bt_error, &func);
    }
#endif
    Dl_info di;
    int have_dl = dladdr((void *)pc, &di) != 0;
    if (!func && have_dl && di.dli_sname) func = di.dli_sname;
    const char *file = have_dl && di.dli_fname && di.dli_fname[0] ? di.dli_fname : "?";
    char buf[256];
    if (!func) { /* a placeholder Go's validator accepts: object+offset */
        const char *base = strrchr(file, '/');
        uintptr_t off = have_dl ? pc - (uintptr_t)di.dli_fbase : pc;
        snprintf(buf, sizeof buf, "%s+0x%lx", base ? base + 1 : file, (unsigned long)off);
        func = buf;
    }
    out->lv[0].func = dupstr(func);
    out->lv[0].file = dupstr(file);
    out->lv[0].line = 1;
    out->n = 1;
}

static const sym *lookup(uintptr_t pc)
{
    if (nsym * 2 >= capsym) {
        size_t ncap = capsym ? capsym * 2 : 1024;
        sym *n = calloc(ncap, sizeof *n);
        if (!n) return NULL;
        for (size_t i = 0; i < capsym; i++) {
            if (!syms[i].pc) continue;
            size_t j = (size_t)XXH3_64bits(&syms[i].pc, sizeof syms[i].pc) & (ncap - 1);
            while (n[j].pc) j = (j + 1) & (ncap - 1);
            n[j] = syms[i];
        }
        free(syms);
        syms = n;
        capsym = ncap;
    }
    size_t j = (size_t)XXH3_64bits(&pc, sizeof pc) & (capsym - 1);
    while (syms[j].pc && syms[j].pc != pc) j = (j + 1) & (capsym - 1);
    if (!syms[j].pc) {
        symbolize(pc, &syms[j]);
        nsym++;
    }
    return &syms[j];
}

/* The thread's outermost frames in libc say nothing and would group every
 * thread under them in `go tool trace`: the walk ends before them. */
static int is_root(const char *f)
{
    static const char *const roots[] = {"start_thread", "clone", "clone3", "__clone", "__clone3",
                                        "__libc_start_call_main", "__libc_start_main", "_start"};
    for (size_t i = 0; i < GT_ARRAY_LEN(roots); i++)
        if (strcmp(f, roots[i]) == 0) return 1;
    return 0;
}

/*-************************************
 *  The dump (advancer): strings first, then the records
 **************************************/
typedef struct dump {
    uint64_t gen, now;
    cap_buf *str, *stk;
    /* this generation's strings: open addressing on XXH3, id 0 = empty slot */
    struct {
        uint64_t hash, id;
        const char *s;
    } *tab;
    size_t n, cap;
} dump;

static cap_buf *batch(dump *d, cap_buf **cur, uint8_t first, size_t need)
{
    if (*cur && (*cur)->b.cap - (*cur)->b.len >= need) return *cur;
    if (*cur && cur == &d->stk && d->str) { /* the strings these records use go first in the file */
        cap_buf_push(d->str, d->gen);
        d->str = NULL;
    }
    if (*cur) cap_buf_push(*cur, d->gen);
    cap_buf *b = cap_buf_get_force();
    if (!b) return *cur = NULL;
    b->gen = d->gen;
    gt_batch_begin(&b->b, b->data, CAP_BUF_DATA, G.version, d->gen, GT_ENC_NO_THREAD, d->now, 0);
    gt_batch_raw(&b->b, &first, 1);
    return *cur = b;
}

static uint64_t intern(dump *d, const char *s)
{
    size_t n = strlen(s);
    if (n > CAP_MAX_STRING) s += n - CAP_MAX_STRING, n = CAP_MAX_STRING; /* Go keeps the last 1 KiB of names */
    if (!n) return 0;
    if (d->n * 2 >= d->cap) {
        size_t ncap = d->cap ? d->cap * 2 : 512;
        void *nt = calloc(ncap, sizeof *d->tab);
        if (!nt) return 0;
        __typeof__(d->tab) t = nt;
        for (size_t i = 0; i < d->cap; i++) {
            if (!d->tab[i].id) continue;
            size_t j = d->tab[i].hash & (ncap - 1);
            while (t[j].id) j = (j + 1) & (ncap - 1);
            t[j] = d->tab[i];
        }
        free(d->tab);
        d->tab = t;
        d->cap = ncap;
    }
    uint64_t h = XXH3_64bits(s, n);
    size_t j = h & (d->cap - 1);
    for (; d->tab[j].id; j = (j + 1) & (d->cap - 1))
        if (d->tab[j].hash == h && strncmp(d->tab[j].s, s, n) == 0 && d->tab[j].s[n] == '\0') return d->tab[j].id;
    cap_buf *b = batch(d, &d->str, GT_V2_STRINGS, 1 + 2 * GT_UVARINT_MAX + n);
    if (!b) return 0;
    uint64_t id = atomic_fetch_add_explicit(&G.str_next[d->gen & 1], 1, memory_order_relaxed);
    uint8_t *w = b->b.buf + b->b.len;
    *w++ = GT_V2_STRING;
    w = gt_enc_uv(gt_enc_uv(w, id), n);
    memcpy(w, s, n);
    b->b.len = (size_t)(w + n - b->b.buf);
    d->tab[j].hash = h;
    d->tab[j].id = id;
    d->tab[j].s = s;
    d->n++;
    return id;
}

static void dump_one(dump *d, uint64_t id, const uintptr_t *pcs, uint32_t n)
{
    uint64_t pc[CAP_MAX_FRAMES], fid[CAP_MAX_FRAMES], lid[CAP_MAX_FRAMES], line[CAP_MAX_FRAMES];
    uint32_t keep = 0;
    /* Pass 1: symbolize, expand inlined calls, stop at the libc roots, and
     * intern every name: the strings exist before the record starts. */
    for (uint32_t k = 0; k < n && keep < CAP_MAX_FRAMES; k++) {
        const sym *s = lookup(pcs[k] - 1); /* a return address: the call is the byte before */
        if (!s) break;
        if (keep && is_root(s->lv[s->n - 1].func)) break;
        for (unsigned l = 0; l < s->n && keep < CAP_MAX_FRAMES; l++) {
            pc[keep] = (uint64_t)s->pc | (uint64_t)l << CAP_INLINE_SHIFT;
            fid[keep] = intern(d, s->lv[l].func);
            lid[keep] = intern(d, s->lv[l].file);
            line[keep] = s->lv[l].line;
            keep++;
        }
    }
    /* Pass 2: the record, straight into the batch. */
    cap_buf *b = batch(d, &d->stk, GT_V2_STACKS, 1 + 3 * GT_UVARINT_MAX + (size_t)keep * 4 * GT_UVARINT_MAX);
    if (!b) return;
    uint8_t *w = b->b.buf + b->b.len;
    *w++ = GT_V2_STACK;
    w = gt_enc_uv(w, id);
    uint8_t *count = w;
    w += GT_UVARINT_MAX;
    uint32_t written = 0;
    for (uint32_t k = 0; k < keep; k++) {
        if (!fid[k] || !lid[k]) continue; /* a name that could not be interned: leave the frame out */
        w = gt_enc_uv(gt_enc_uv(gt_enc_uv(gt_enc_uv(w, pc[k]), fid[k]), lid[k]), line[k]);
        written++;
    }
    gt_uvarint_write_padded(count, GT_UVARINT_MAX, written, GT_UVARINT_MAX);
    b->b.len = (size_t)(w - b->b.buf);
}

void cap_stack_dump(uint64_t gen, uint64_t now)
{
    dump d = {.gen = gen, .now = now};
    uint32_t n = atomic_load_explicit(&G.nslots, memory_order_acquire);
    for (uint32_t i = 0; i < n; i++) {
        cap_thread *t = cap_slot(i);
        if (atomic_load_explicit(&t->slot_state, memory_order_acquire) == CAP_SLOT_FREE) continue;
        cap_stktab *tab = t->stk[gen & 1];
        if (!tab || tab->gen != gen) continue;
        for (uint32_t k = 0; k < tab->slots; k++) {
            cap_stk_ent *e = &tab->ent[k];
            if (e->gen == (uint32_t)gen) dump_one(&d, e->id, &tab->pcs[e->off], e->n);
        }
    }
    /* Every stacks batch follows the strings batch its names went to, so the
     * strings precede the records in the file too. */
    if (d.str) cap_buf_push(d.str, gen);
    if (d.stk) cap_buf_push(d.stk, gen);
    free(d.tab);
}
