// P4: a rejection is thrown at the await and can be caught there; locals
// survive the suspension.
(async () => {
  const local = 'kept';
  try {
    await Promise.reject(new Error('bad'));
  } catch (e) {
    console.log('caught ' + e.message + ', local ' + local);
  }
  return 'recovered';
})().then((v) => console.log(v));
