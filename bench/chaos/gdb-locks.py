# gdb -p <asterisk pid> -batch -x bench/chaos/gdb-locks.py: for every thread waiting on a mutex, the
# mutex, its owner thread and both stacks (issue 13: who holds the channel container lock).
import gdb
res = []
for th in gdb.selected_inferior().threads():
    th.switch()
    f = gdb.newest_frame()
    i = 0
    names = []
    waiting = None
    while f is not None and i < 30:
        n = f.name() or '?'
        names.append(n)
        if n == '___pthread_mutex_lock' and waiting is None:
            try:
                m = f.read_var('mutex')
                waiting = (str(m), int(m.dereference()['__data']['__owner']))
            except Exception as e:
                waiting = ('?', -1)
        f = f.older(); i += 1
    res.append((th.ptid[1], waiting, names))
bylwp = {r[0]: r for r in res}
for lwp, w, names in res:
    if w:
        o = bylwp.get(w[1])
        print('LWP %d waits %s owner %d | %s' % (lwp, w[0], w[1], ' < '.join(names[3:12])))
        if o:
            print('    owner LWP %d %s | %s' % (o[0], ('waits %s owner %d' % o[1]) if o[1] else 'running', ' < '.join(o[2][:14])))
