/* State that spans generations: goroutines, procs, threads and open tasks
 * (Go's ordering maps), plus the ranges and user regions of a goroutine or
 * proc. Most goroutines have neither, so those live in a side pool ("ext")
 * that a G or P points into only when it needs one. Region names are copied
 * (Go compares them by content: string IDs change every generation). */
#include "order.h"

ord_g *ord_g_put(gt_parser *p, int64_t id, gt_status *s)
{
    bool created;
    return ord_map_put(p, &p->st.gs, (uint64_t)id, &created, s);
}

void ord_g_del(gt_parser *p, int64_t id)
{
    ord_g *g = ord_g_get(p, id);
    if (!g) return;
    if (g->ext) ord_ext_release(p, g->ext);
    ord_map_del(&p->st.gs, (uint64_t)id);
}

ord_p *ord_p_put(gt_parser *p, int64_t id, gt_status *s)
{
    bool created;
    return ord_map_put(p, &p->st.ps, (uint64_t)id, &created, s);
}

uint32_t ord_m_find(const gt_parser *p, int64_t m)
{
    const uint32_t *slot1 = ord_map_get(&p->st.m_index, (uint64_t)m);
    return slot1 ? *slot1 - 1 : NONE32;
}

uint32_t ord_m_slot(gt_parser *p, int64_t m, gt_status *s)
{
    ord_state *st = &p->st;
    bool created;
    uint32_t *slot1 = ord_map_put(p, &st->m_index, (uint64_t)m, &created, s);
    if (!slot1) return NONE32;
    if (!created) return *slot1 - 1;
    if ((*s = ord_grow(p, &st->ms, sizeof *st->ms, &st->ms_cap, (size_t)st->nms + 1)) != GT_OK) {
        ord_map_del(&st->m_index, (uint64_t)m);
        return NONE32;
    }
    st->ms[st->nms] = (ord_m){m, NO_ID, NO_ID};
    *slot1 = ++st->nms;
    return st->nms - 1;
}

/*-************************************
 *  Ranges and regions
 **************************************/
ord_ext *ord_ext_of(gt_parser *p, uint32_t *ext, gt_status *s)
{
    ord_state *st = &p->st;
    if (*ext) return &st->ext[*ext - 1];
    uint32_t i;
    if (st->free_ext) {
        i = st->free_ext - 1;
        st->free_ext = st->ext[i].next_free;
    } else {
        if ((*s = ord_grow(p, &st->ext, sizeof *st->ext, &st->ext_cap, (size_t)st->next_ext + 1)) != GT_OK)
            return NULL;
        i = st->next_ext++;
        memset(&st->ext[i], 0, sizeof st->ext[i]);
    }
    st->ext[i].next_free = 0;
    *ext = i + 1;
    return &st->ext[i];
}

/* Forget the ranges and regions but keep their buffers for the next user. */
void ord_ext_release(gt_parser *p, uint32_t ext)
{
    ord_state *st = &p->st;
    ord_ext *e = &st->ext[ext - 1];
    e->nranges = 0;
    e->rlen = 0;
    e->nregions = 0;
    e->next_free = st->free_ext;
    st->free_ext = ext;
}

bool ord_range_has(const ord_ext *e, uint8_t typ, uint64_t desc)
{
    if (!e) return false;
    for (uint32_t i = 0; i < e->nranges; i++)
        if (e->ranges[i].typ == typ && e->ranges[i].desc == desc) return true;
    return false;
}

gt_status ord_range_add(gt_parser *p, uint32_t *ext, uint8_t typ, uint64_t desc)
{
    gt_status s = GT_OK;
    ord_ext *e = ord_ext_of(p, ext, &s);
    if (!e) return s;
    if ((s = ord_grow(p, &e->ranges, sizeof *e->ranges, &e->ranges_cap, (size_t)e->nranges + 1)) != GT_OK)
        return s;
    e->ranges[e->nranges++] = (ord_range){desc, typ};
    return GT_OK;
}

bool ord_range_end(gt_parser *p, uint32_t ext, uint8_t typ, uint64_t *desc)
{
    if (!ext) return false;
    ord_ext *e = &p->st.ext[ext - 1];
    for (uint32_t i = 0; i < e->nranges; i++) {
        if (e->ranges[i].typ != typ) continue;
        *desc = e->ranges[i].desc;
        e->ranges[i] = e->ranges[e->nranges - 1]; /* Go's swap-remove */
        e->nranges--;
        return true;
    }
    return false;
}

#define REGION_TRAILER 12 /* task (8) + name length (4) */

gt_status ord_region_push(gt_parser *p, uint32_t *ext, uint64_t task, const uint8_t *name, uint32_t len)
{
    gt_status s = GT_OK;
    ord_ext *e = ord_ext_of(p, ext, &s);
    if (!e) return s;
    size_t need = e->rlen + len + REGION_TRAILER;
    if ((s = ord_grow_size(p, &e->regions, 1, &e->rcap, need)) != GT_OK) return s;
    if (len) memcpy(e->regions + e->rlen, name, len);
    memcpy(e->regions + e->rlen + len, &task, 8);
    memcpy(e->regions + e->rlen + len + 8, &len, 4);
    e->rlen = need;
    e->nregions++;
    return GT_OK;
}

bool ord_region_top(const gt_parser *p, uint32_t ext, uint64_t *task, const uint8_t **name, uint32_t *len)
{
    if (!ext) return false;
    const ord_ext *e = &p->st.ext[ext - 1];
    if (!e->nregions) return false;
    const uint8_t *t = e->regions + e->rlen - REGION_TRAILER;
    memcpy(task, t, 8);
    memcpy(len, t + 8, 4);
    *name = t - *len;
    return true;
}

void ord_region_pop(gt_parser *p, uint32_t ext)
{
    ord_ext *e = &p->st.ext[ext - 1];
    uint32_t len;
    memcpy(&len, e->regions + e->rlen - 4, 4);
    e->rlen -= (size_t)len + REGION_TRAILER;
    e->nregions--;
}

void ord_state_free(gt_parser *p)
{
    ord_state *st = &p->st;
    for (uint32_t i = 0; i < st->next_ext; i++) {
        gt_mem_free(&p->mem, st->ext[i].ranges, (size_t)st->ext[i].ranges_cap * sizeof(ord_range));
        gt_mem_free(&p->mem, st->ext[i].regions, st->ext[i].rcap);
    }
    gt_mem_free(&p->mem, st->ext, (size_t)st->ext_cap * sizeof *st->ext);
    size_t it = 0;
    uint64_t key;
    void *val;
    while (ord_map_next(&st->tasks, &it, &key, &val)) {
        ord_task *t = val;
        gt_mem_free(&p->mem, t->name, t->len ? t->len : 1);
    }
    ord_map_free(p, &st->tasks);
    ord_map_free(p, &st->gs);
    ord_map_free(p, &st->ps);
    ord_map_free(p, &st->m_index);
    gt_mem_free(&p->mem, st->ms, (size_t)st->ms_cap * sizeof *st->ms);
    memset(st, 0, sizeof *st);
}

const char *ord_go_status_name(uint64_t s)
{
    switch (s) {
    case GS_RUNNABLE: return "Runnable";
    case GS_RUNNING: return "Running";
    case GS_SYSCALL: return "Syscall";
    case GS_WAITING: return "Waiting";
    default: return "Bad";
    }
}

const char *ord_proc_status_name(uint64_t s)
{
    switch (s) {
    case PS_RUNNING: return "Running";
    case PS_IDLE: return "Idle";
    case PS_SYSCALL: return "Syscall";
    case PS_ABANDONED: return "SyscallAbandoned";
    default: return "Bad";
    }
}
