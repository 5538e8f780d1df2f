// Seed 003 Q5: three ways to handle errors in async code: try/catch around
// the await (log, then rethrow), .catch at the call site (turn the failure
// into a value), and a wrapper that returns [error, data].
class NotFoundError extends Error {}
const db = { users: { findById: async (id) => (id === 1 ? { name: 'ada' } : null) } };

async function fetchUser(id) {
  try {
    const user = await db.users.findById(id);
    if (!user) throw new NotFoundError('User not found');
    return user;
  } catch (error) {
    console.log('logged: ' + error.message);
    throw error;
  }
}

async function tryCatch(promise) {
  try {
    const data = await promise;
    return [null, data];
  } catch (error) {
    return [error, null];
  }
}

(async () => {
  const user = await fetchUser(2).catch(() => null);
  console.log('method 2: ' + user);
  const [error, found] = await tryCatch(fetchUser(1));
  console.log('method 3: ' + (error ? error.message : found.name));
  const [error2] = await tryCatch(fetchUser(3));
  console.log('method 3: ' + error2.message);
})();
