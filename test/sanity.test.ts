import t from 'tap'
const x: number = 1
t.equal(x, 1)
t.equal(process.versions.node.split('.')[0], '24')
